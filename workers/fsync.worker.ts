// An fsync thread: blocks in fsync(2) for the node, so that many flushes wait at once without
// holding the event loop (see server/fs/fsync-pool.ts).
import { fdatasyncSync, fsyncSync } from "node:fs";
import type { FsyncRequest, FsyncResponse } from "./fsync-protocol.ts";

declare const self: Worker;

self.onmessage = (event: MessageEvent<FsyncRequest>) => {
  const { id, fd, dataOnly } = event.data;
  let response: FsyncResponse;
  try {
    if (dataOnly) fdatasyncSync(fd);
    else fsyncSync(fd);
    response = { id };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    response = { id, code: e.code ?? "EIO", message: e.message };
  }
  self.postMessage(response);
};
