// An fsync thread: blocks in fsync(2) for the node, so that many flushes wait at once without
// holding the event loop (see server/fs/fsync-pool.ts). It also creates small files whole — open,
// write, flush, close — and moves them into place, because creating or renaming a file in a folder
// whose changes the disk's journal is committing blocks too: on the event loop that was a fifth of a
// small upload's time.
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { CreateRequest, FsyncRequest, FsyncResponse } from "./fsync-protocol.ts";

declare const self: Worker;

function create({ create: path, bytes }: CreateRequest): void {
  const fd = openSync(path, "wx", 0o600);
  try {
    for (let off = 0; off < bytes.byteLength; ) off += writeSync(fd, bytes, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

self.onmessage = (event: MessageEvent<FsyncRequest>) => {
  const request = event.data;
  let response: FsyncResponse;
  try {
    if ("create" in request) create(request);
    else if ("move" in request) {
      mkdirSync(dirname(request.move[1]), { recursive: true, mode: 0o700 });
      renameSync(...request.move);
    } else if (request.dataOnly) fdatasyncSync(request.fd);
    else fsyncSync(request.fd);
    response = { id: request.id };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    response = { id: request.id, code: e.code ?? "EIO", message: e.message };
  }
  self.postMessage(response);
};
