// A backup set's manifest: every object (its path in the snapshot, size, SHA-256 and the chunks
// that hold it, in order), when and by which node it was made — signed with the node key, then
// sealed like a chunk so a destination cannot read the file names either. Reading one checks the
// signature against the Node ID the phrase gives: a manifest changed, or made by another node, is refused.
import { base58 } from "@scure/base";
import { sign, verify } from "../services/identity/node-id.ts";
import { BackupIntegrityError } from "./sealed-chunks.ts";

export const MANIFEST_VERSION = 1;

export interface ManifestObject {
  /** Where it goes in a restored data dir (e.g. "pc2.db", "files/0xab…/3f…"). */
  path: string;
  size: number;
  sha256: string;
  /** Keyed chunk names, in order. */
  chunks: string[];
}

export interface BackupManifest {
  version: typeof MANIFEST_VERSION;
  nodeId: string;
  createdAt: string;
  objects: ManifestObject[];
}

const encoder = new TextEncoder();

/** The manifest's bytes and the node key's signature over them, as one document. */
export function signManifest(manifest: BackupManifest, nodeSecretKey: Uint8Array): Uint8Array {
  const body = JSON.stringify(manifest);
  const signature = Buffer.from(sign(encoder.encode(body), nodeSecretKey)).toString("base64");
  return encoder.encode(JSON.stringify({ manifest: body, signature }));
}

/** The manifest, if the signature is the node's (`nodeId`); BackupIntegrityError otherwise. */
export function readManifest(document: Uint8Array, nodeId: string): BackupManifest {
  let outer: { manifest?: unknown; signature?: unknown };
  try {
    outer = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(document));
  } catch {
    throw new BackupIntegrityError("the manifest is not readable");
  }
  if (typeof outer.manifest !== "string" || typeof outer.signature !== "string") throw new BackupIntegrityError("the manifest is not readable");
  const signature = Buffer.from(outer.signature, "base64");
  if (signature.length !== 64 || !verify(signature, encoder.encode(outer.manifest), base58.decode(nodeId)))
    throw new BackupIntegrityError("the manifest's signature is not this node's: it was changed, or made by another node");
  const manifest = JSON.parse(outer.manifest) as BackupManifest;
  if (manifest.version !== MANIFEST_VERSION || manifest.nodeId !== nodeId || !Array.isArray(manifest.objects)) throw new BackupIntegrityError("the manifest is not a PC2 backup of this node");
  return manifest;
}
