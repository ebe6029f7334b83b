// A backup destination on a friend's PC2 node: the same interface as a folder, spoken over HTTP(S)
// to the friend's /api/backup/peer/ routes. Every request is signed by this node's key and every
// answer must be signed by the friend's key (peer-protocol.ts); an answer without that signature is
// not the friend's and is never trusted. The friend's TLS certificate is not what proves who it is
// (it may be self-signed, or the node reached over plain HTTP on a LAN): the signatures are, and
// everything sent is sealed already.
import type { KeyPair } from "../boson/keys.ts";
import { AppError, fail } from "../errors.ts";
import { type BackupDestination, checkChunkId, checkSetName } from "./destination.ts";
import { answerIsFrom, PEER_HEADER, signRequest } from "./peer-protocol.ts";

const TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 5_000;
/** Answers 429 (the friend has seen too many requests from us lately): wait and try again, a few times. */
const BUSY_RETRIES = 5;
const BUSY_WAIT_MS = 5_000;

/** Not an answer from the friend at this address (no connection, or an unsigned or wrongly signed answer). */
export class NotThePeerError extends Error {}

interface PeerAnswer {
  status: number;
  body: Uint8Array;
}

/** One signed request to `hostId` at `baseUrl`; the answer only if the host signed it. */
async function ask(keys: KeyPair, hostId: string, baseUrl: string, method: string, path: string, body: Uint8Array = new Uint8Array(0), timeoutMs = TIMEOUT_MS): Promise<PeerAnswer> {
  const headers = signRequest(keys, hostId, method, path, body);
  let res: Response;
  try {
    res = await fetch(new URL(path, baseUrl), {
      method,
      headers: { ...headers, ...(body.length ? { "content-type": "application/octet-stream" } : {}) },
      body: body.length ? body : undefined,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      // Who answers is proven by its signature below, not by the certificate.
      tls: { rejectUnauthorized: false },
    } as RequestInit);
  } catch (err) {
    throw new NotThePeerError(`${baseUrl}: ${(err as Error).message}`);
  }
  const answer = new Uint8Array(await res.arrayBuffer());
  if (!answerIsFrom(hostId, headers[PEER_HEADER.nonce]!, res.status, answer, res.headers.get(PEER_HEADER.signature))) {
    throw new NotThePeerError(`${baseUrl}: the answer (HTTP ${res.status}) is not signed by ${hostId}`);
  }
  return { status: res.status, body: answer };
}

/** The friend's error, in its own words (it signed them). */
function peerError(a: PeerAnswer, hostId: string): AppError {
  let code = "";
  let message = `HTTP ${a.status}`;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(a.body)) as { code?: string; message?: string };
    code = parsed.code ?? "";
    message = parsed.message ?? message;
  } catch {}
  const text = `Node ${hostId.slice(0, 8)}… answered: ${message.slice(0, 300)}`;
  if (code === "backup_guest_unknown") return fail("backup_guest_unknown", text);
  if (code === "backup_allowance_exceeded") return fail("backup_allowance_exceeded", text);
  if (code === "not_found") return fail("not_found", text);
  return fail("backup_peer_unreachable", text);
}

export class PeerDestination implements BackupDestination {
  readonly label: string;
  /** The friend's chunk names, listed once per destination (one backup run holds the destination alone). */
  private known: Set<string> | null = null;

  private constructor(
    private readonly keys: KeyPair,
    readonly hostId: string,
    readonly baseUrl: string,
  ) {
    this.label = `node ${hostId}`;
  }

  /**
   * The friend at the first of `baseUrls` whose answer it signed. Refused outright when the friend
   * says so (no allowance for us); unreachable when no address answers as the friend.
   */
  static async connect(keys: KeyPair, hostId: string, baseUrls: string[]): Promise<PeerDestination> {
    const tried: string[] = [];
    for (const url of baseUrls) {
      let a: PeerAnswer;
      try {
        a = await ask(keys, hostId, url, "GET", "/api/backup/peer/usage", undefined, PROBE_TIMEOUT_MS);
      } catch (err) {
        if (!(err instanceof NotThePeerError)) throw err;
        tried.push(err.message);
        continue;
      }
      if (a.status !== 200) throw peerError(a, hostId);
      return new PeerDestination(keys, hostId, url);
    }
    throw fail(
      "backup_peer_unreachable",
      baseUrls.length ? `Node ${hostId} did not answer at any of its addresses (${tried.join("; ").slice(0, 400)})` : `Node ${hostId} was not found on the Boson network`,
    );
  }

  private async call(method: string, path: string, body?: Uint8Array): Promise<PeerAnswer> {
    for (let attempt = 0; ; attempt++) {
      let a: PeerAnswer;
      try {
        a = await ask(this.keys, this.hostId, this.baseUrl, method, path, body);
      } catch (err) {
        if (err instanceof NotThePeerError) throw fail("backup_peer_unreachable", `Lost node ${this.hostId.slice(0, 8)}… during the backup: ${err.message.slice(0, 300)}`);
        throw err;
      }
      if (a.status === 429 && attempt < BUSY_RETRIES) {
        await Bun.sleep(BUSY_WAIT_MS);
        continue;
      }
      if (a.status >= 400) throw peerError(a, this.hostId);
      return a;
    }
  }

  private async json<T>(method: string, path: string, body?: Uint8Array): Promise<T> {
    return JSON.parse(new TextDecoder().decode((await this.call(method, path, body)).body)) as T;
  }

  /** How much the friend allows us and how much we use. */
  usage(): Promise<{ usedBytes: number; allowanceBytes: number }> {
    return this.json("GET", "/api/backup/peer/usage");
  }

  async hasChunk(id: string): Promise<boolean> {
    checkChunkId(id);
    if (!this.known) this.known = new Set(await this.listChunks());
    return this.known.has(id);
  }

  async putChunk(id: string, sealed: Uint8Array): Promise<void> {
    await this.call("PUT", `/api/backup/peer/chunks/${checkChunkId(id)}`, sealed);
    this.known?.add(id);
  }

  async getChunk(id: string): Promise<Uint8Array> {
    return (await this.call("GET", `/api/backup/peer/chunks/${checkChunkId(id)}`)).body;
  }

  async listChunks(): Promise<string[]> {
    return (await this.json<{ chunks: string[] }>("GET", "/api/backup/peer/chunks")).chunks.map(checkChunkId);
  }

  async deleteChunk(id: string): Promise<void> {
    await this.call("DELETE", `/api/backup/peer/chunks/${checkChunkId(id)}`);
    this.known?.delete(id);
  }

  async putSet(name: string, sealedManifest: Uint8Array): Promise<void> {
    await this.call("PUT", `/api/backup/peer/sets/${checkSetName(name)}`, sealedManifest);
  }

  async getSet(name: string): Promise<Uint8Array> {
    return (await this.call("GET", `/api/backup/peer/sets/${checkSetName(name)}`)).body;
  }

  async listSets(): Promise<string[]> {
    return (await this.json<{ sets: string[] }>("GET", "/api/backup/peer/sets")).sets.map(checkSetName).sort();
  }

  async deleteSet(name: string): Promise<void> {
    await this.call("DELETE", `/api/backup/peer/sets/${checkSetName(name)}`);
  }

  async sweepTemp(): Promise<number> {
    return (await this.json<{ removed: number }>("POST", "/api/backup/peer/sweep")).removed;
  }
}
