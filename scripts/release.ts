// Publishing a release: build the single binary stamped with its version and the publisher's public
// key, then write the signed manifest that nodes check before they update (server/update/).
//
//   bun scripts/release.ts --new-key ~/pc2-release.key          # once: a publisher key (never commit it)
//   bun scripts/release.ts --key ~/pc2-release.key --version 1.2.0 --base-url https://example.org/pc2/ \
//       [--channel stable] [--min-from 0.1.0] [--notes-file NOTES.md] [--out dist/release]
//
// Writes <out>/pc2-<version>-<platform> and <out>/manifest-<channel>.json; upload both to --base-url.
// The key file holds the 32-byte Ed25519 seed in hex and must be readable by its owner only.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { publisherKeyOf, type ReleaseManifest, signRelease, thisPlatform } from "../server/update/release-manifest.ts";
import { buildBinary } from "./build.ts";

/** The publisher seed from its key file, refused when others can read the file. */
export function readKey(file: string): Uint8Array {
  const mode = statSync(file).mode & 0o077;
  if (mode) throw new Error(`${file} is readable by others (chmod 600 it)`);
  const hex = readFileSync(file, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file} does not hold a 32-byte key in hex`);
  return new Uint8Array(Buffer.from(hex, "hex"));
}

export async function release(o: {
  keyFile: string;
  version: string;
  baseUrl: string;
  channel: string;
  minFrom: string;
  notes: string;
  out: string;
}): Promise<{ manifestFile: string; binaryFile: string; manifest: ReleaseManifest }> {
  const seed = readKey(o.keyFile);
  const name = `pc2-${o.version}-${thisPlatform()}`;
  mkdirSync(o.out, { recursive: true });
  const binaryFile = join(o.out, name);
  await buildBinary(binaryFile, { version: o.version, releaseKey: publisherKeyOf(seed) });
  const bytes = readFileSync(binaryFile);
  const manifest: ReleaseManifest = {
    version: o.version,
    channel: o.channel,
    platform: thisPlatform(),
    url: new URL(name, o.baseUrl.endsWith("/") ? o.baseUrl : `${o.baseUrl}/`).toString(),
    sha256: createHash("sha256").update(bytes).digest("hex"),
    size: bytes.length,
    minFrom: o.minFrom,
    notes: o.notes,
  };
  const manifestFile = join(o.out, `manifest-${o.channel}.json`);
  writeFileSync(manifestFile, `${JSON.stringify(signRelease(manifest, seed), null, 2)}\n`);
  return { manifestFile, binaryFile, manifest };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      "new-key": { type: "string" },
      key: { type: "string" },
      version: { type: "string" },
      "base-url": { type: "string" },
      channel: { type: "string", default: "stable" },
      "min-from": { type: "string", default: "0.0.0" },
      "notes-file": { type: "string" },
      out: { type: "string", default: "dist/release" },
    },
  });
  if (values["new-key"]) {
    const seed = randomBytes(32);
    writeFileSync(values["new-key"], `${seed.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    console.log(`publisher key written to ${values["new-key"]} (keep it secret, never commit it)`);
    console.log(`public key (build with PC2_RELEASE_PUBLIC_KEY=…, or set update.publicKey): ${publisherKeyOf(seed)}`);
  } else {
    if (!values.key || !values.version || !values["base-url"]) throw new Error("--key, --version and --base-url are required (or --new-key FILE)");
    const r = await release({
      keyFile: resolve(values.key),
      version: values.version,
      baseUrl: values["base-url"],
      channel: values.channel!,
      minFrom: values["min-from"]!,
      notes: values["notes-file"] ? readFileSync(values["notes-file"], "utf8") : "",
      out: resolve(values.out!),
    });
    console.log(`${r.binaryFile} (${(r.manifest.size / 1e6).toFixed(1)} MB, sha256 ${r.manifest.sha256.slice(0, 16)}…)\n${r.manifestFile} for ${r.manifest.url}`);
  }
}
