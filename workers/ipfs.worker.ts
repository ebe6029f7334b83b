// IPFS worker: a Helia node on disk (no networking), importing, pinning and collecting garbage off the main thread.
import { createHeliaLight, type Helia } from "helia";
import { CID } from "multiformats/cid";
import { mkdirSync, read } from "node:fs";
import { join } from "node:path";
import { BunFsBlockstore } from "./bun-fs-blockstore.ts";
import { FilestoreBlockstore } from "./filestore-blockstore.ts";
import { importFile } from "./file-import.ts";
import { LeafRefs } from "./leaf-refs.ts";
import { leanPinWalker } from "./lean-pin-walker.ts";
import { type BlobSource, IMPORT_CHUNK_SIZE, type IpfsGrow, type IpfsLocate, type IpfsLocated, type IpfsRequest, type IpfsResponse, type IpfsResult, type IpfsWorkerInit } from "./protocol.ts";
import { SqliteDatastore } from "./sqlite-datastore.ts";
import { verifyDag } from "./verify-dag.ts";

declare const self: Worker;

/** Files are read for the importer in its own chunks, so that each chunk is one leaf (file-import.ts). */
const CHUNK_SIZE = IMPORT_CHUNK_SIZE;

let helia: Helia | null = null;
let ready: Promise<Helia> | null = null;
let filestore: FilestoreBlockstore | null = null;

/** Files' leaves are read from the node's blobs: ask the node where a file's bytes are. */
let nextLocateId = 1;
const locating = new Map<number, (source: BlobSource | null) => void>();
function locateFile(root: string): Promise<BlobSource | null> {
  const id = nextLocateId++;
  return new Promise((resolve) => {
    locating.set(id, resolve);
    self.postMessage({ op: "locate", id, root } satisfies IpfsLocate);
  });
}

async function start({ repoDir }: IpfsWorkerInit): Promise<Helia> {
  const stored = new BunFsBlockstore(join(repoDir, "blocks"));
  mkdirSync(repoDir, { recursive: true, mode: 0o700 });
  const datastore = new SqliteDatastore(join(repoDir, "datastore.db"));
  // In the pin records' file: a pin never outlives its leaves' places (they commit first).
  filestore = new FilestoreBlockstore(stored, new LeafRefs(join(repoDir, "datastore.db")), locateFile);
  await stored.open();
  await datastore.open();
  // createHeliaLight: no libp2p, nothing announced to any network (and it survives bun --compile).
  const node = createHeliaLight({ blockstore: filestore, datastore });
  await node.start();
  return node;
}

/**
 * The file one chunk at a time, read only when the importer asks: Bun's file stream reads ahead of a
 * slower consumer, and a large import then holds hundreds of MiB in flight.
 */
async function* slices(file: ReturnType<typeof Bun.file>, lean: boolean): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < file.size; at += CHUNK_SIZE) {
    yield await file.slice(at, Math.min(file.size, at + CHUNK_SIZE)).bytes();
    if (lean) collectAfter(CHUNK_SIZE);
  }
}

/** How far a growing file may be read, and who is waiting for more. */
interface Growth {
  size: number;
  done: boolean;
  aborted: boolean;
  wake: (() => void) | null;
}
const growing = new Map<number, Growth>();

/**
 * A file still being written, chunk by chunk, never reading past what the writer has reported. It
 * is read through a descriptor the node opened (threads share them), never by its name: the node
 * renames the file into place while the last chunk is imported. The node closes it.
 */
async function* growingSlices(fd: number, g: Growth): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (;;) {
    while (!g.aborted && !g.done && g.size - at < CHUNK_SIZE) await new Promise<void>((r) => (g.wake = r));
    if (g.aborted) throw new Error("upload aborted");
    if (at >= g.size && g.done) return;
    const end = Math.min(g.size, at + CHUNK_SIZE);
    yield await readAt(fd, at, end - at);
    at = end;
  }
}

/** Exactly `length` bytes at `position` (the writer has reported them written). */
async function readAt(fd: number, position: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  for (let got = 0; got < length; ) {
    const bytesRead = await new Promise<number>((resolve, reject) => read(fd, bytes, got, length - got, position + got, (err, n) => (err ? reject(err) : resolve(n))));
    if (bytesRead === 0) throw new Error("the file ended before the size its writer reported");
    got += bytesRead;
  }
  return bytes;
}

/** Import a file (its leaves' places recorded before the pin that makes them count) and pin it. */
async function importAndPin(node: Helia, source: AsyncIterable<Uint8Array>): Promise<CID> {
  const cid = await importFile(node.blockstore, filestore!.refs, source);
  // pins.add is a lazy generator: nothing happens until it is drained.
  if (!(await node.pins.isPinned(cid))) await drain(node.pins.add(cid, { walker: leanPinWalker() } as never));
  return cid;
}

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Bytes imported since the last collection. */
let importedSinceGc = 0;

/**
 * An import leaves garbage of about its own size in this heap (blocks, hashes, DAG nodes). Lean
 * imports (the re-pin after a restore, `pc2 storage check --repair`) collect it every 16 MiB, so
 * that importing a whole node does not grow the process by a fraction of it. Uploads do not: a collection every 16 MiB measured ~20% slower for a 128 MiB upload, and an
 * upload's import ends with it.
 */
function collectAfter(bytes: number): void {
  importedSinceGc += bytes;
  if (importedSinceGc < 16 * 1024 * 1024) return;
  importedSinceGc = 0;
  Bun.gc(true);
}

async function handle(req: IpfsRequest, node: Helia): Promise<IpfsResult> {
  switch (req.op) {
    case "add": {
      // A small file kept in the database comes as its bytes: one chunk.
      if ("bytes" in req.source) {
        const { bytes } = req.source;
        const cid = await importAndPin(
          node,
          (async function* () {
            yield bytes;
          })(),
        );
        return { op: "add", cid: cid.toString(), size: bytes.byteLength };
      }
      const file = Bun.file(req.source.path);
      const cid = await importAndPin(node, slices(file, req.lean === true));
      return { op: "add", cid: cid.toString(), size: file.size };
    }
    case "addGrowing": {
      const g = growing.get(req.id)!;
      try {
        const cid = await importAndPin(node, growingSlices(req.fd, g));
        return { op: "addGrowing", cid: cid.toString(), size: g.size };
      } finally {
        growing.delete(req.id);
      }
    }
    case "unpin": {
      const cid = CID.parse(req.cid);
      if (!(await node.pins.isPinned(cid))) return { op: "unpin", removed: false };
      await drain(node.pins.rm(cid, { walker: leanPinWalker() } as never));
      filestore!.refs.forgetRoot(req.cid);
      return { op: "unpin", removed: true };
    }
    case "isPinned":
      return { op: "isPinned", pinned: await node.pins.isPinned(CID.parse(req.cid)) };
    case "pins": {
      const cids: string[] = [];
      for await (const pin of node.pins.ls()) cids.push(pin.cid.toString());
      return { op: "pins", cids };
    }
    case "gc": {
      let removed = 0;
      await node.gc({ onProgress: (evt: { type: string }) => void (evt.type === "helia:gc:deleted" && removed++) } as never);
      return { op: "gc", removed };
    }
    case "unplaced":
      return { op: "unplaced", cids: req.cids.filter((cid) => !filestore!.refs.hasRoot(cid)) };
    case "reclaim":
      return { op: "reclaim", ...(await filestore!.reclaim(req.dryRun)) };
    case "verify":
      return { op: "verify", ...(await verifyDag(filestore!, CID.parse(req.cid), req.mend ? (cid) => filestore!.dropStored(cid) : undefined)) };
    case "stop":
      await node.stop();
      filestore?.refs.close();
      helia = null;
      filestore = null;
      return { op: "stop" };
  }
}

self.onmessage = async (event: MessageEvent<IpfsWorkerInit | IpfsRequest | IpfsGrow | IpfsLocated>) => {
  const msg = event.data;
  if ("repoDir" in msg) {
    ready = start(msg).then((n) => (helia = n));
    return;
  }
  if (msg.op === "located") {
    locating.get(msg.id)?.(msg.source);
    locating.delete(msg.id);
    return;
  }
  if (msg.op === "grow") {
    const g = growing.get(msg.id);
    if (g) {
      g.size = msg.size;
      g.done ||= Boolean(msg.done);
      g.aborted ||= Boolean(msg.abort);
      g.wake?.();
      g.wake = null;
    }
    return;
  }
  if (msg.op === "addGrowing") growing.set(msg.id, { size: 0, done: false, aborted: false, wake: null });
  let response: IpfsResponse;
  try {
    const node = helia ?? (await ready);
    if (!node) throw new Error("IPFS worker not initialised");
    response = { id: msg.id, ok: true, result: await handle(msg, node) };
  } catch (err) {
    response = { id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(response);
};
