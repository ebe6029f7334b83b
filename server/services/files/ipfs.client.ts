// Talks to the IPFS worker: one request at a time per id, answers matched by id, a clean stop.
import { closeSync, openSync } from "node:fs";
import type { IpfsGrow, IpfsRequest, IpfsResponse, IpfsResult } from "../../../workers/protocol.ts";
import { workerUrl } from "../../worker-url.ts";

type Op = IpfsRequest["op"];
type ResultOf<K extends Op> = Extract<IpfsResult, { op: K }>;
type Pending = { resolve: (r: IpfsResult) => void; reject: (e: Error) => void };

export interface GrowingImport {
  /** `size` bytes of the file are written and may be read. */
  grow(size: number): void;
  /** The file is complete at `size` bytes: resolves to its CID once imported and pinned. */
  finish(size: number): Promise<string>;
  /** The CID, once the import (told it is complete) is done. */
  result: Promise<string>;
  abort(): void;
}

const STOP_TIMEOUT_MS = 5000;

export class IpfsClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  constructor(private readonly repoDir: string) {}

  start(): void {
    const worker = new Worker(workerUrl("ipfs.worker.ts"));
    this.failure = null;
    worker.onmessage = (e: MessageEvent<IpfsResponse>) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      this.pending.delete(e.data.id);
      if (e.data.ok) p.resolve(e.data.result);
      else p.reject(new Error(`ipfs: ${e.data.error}`));
    };
    worker.onerror = (e) => {
      // A dead worker answers nothing: fail every waiting call and every later one at once.
      this.failure = new Error(`ipfs worker failed: ${e.message}`);
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    worker.postMessage({ repoDir: this.repoDir });
    this.worker = worker;
  }

  private call<K extends Op>(req: Omit<Extract<IpfsRequest, { op: K }>, "id">): Promise<ResultOf<K>> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error("ipfs worker not running"));
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: IpfsResult) => void, reject });
      worker.postMessage({ ...req, id });
    });
  }

  /**
   * Import and pin a file while it is still being written: report progress with grow(), then
   * finish() (or abort()). Receiving and hashing then run at the same time, on two cores. The
   * worker reads through a descriptor opened here, so the file may be renamed into place while the
   * import finishes; it is closed once the import is over.
   */
  addGrowing(path: string): GrowingImport {
    const worker = this.worker;
    const fd = openSync(path, "r");
    const id = this.nextId; // the id call() is about to use
    const result = this.call<"addGrowing">({ op: "addGrowing", fd })
      .then((r) => r.cid)
      .finally(() => closeSync(fd));
    result.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
    const send = (msg: Omit<IpfsGrow, "op" | "id">) => worker?.postMessage({ op: "grow", id, ...msg } satisfies IpfsGrow);
    return {
      grow: (size) => send({ size }),
      finish: (size) => (send({ size, done: true }), result),
      result,
      abort: () => send({ size: 0, abort: true }),
    };
  }

  /** Import and pin a file; resolves to its CID. `lean`: trade some speed for memory (imports of a whole node in a row). */
  async add(path: string, opts: { lean?: boolean } = {}): Promise<string> {
    return (await this.call<"add">({ op: "add", path, lean: opts.lean })).cid;
  }

  async unpin(cid: string): Promise<boolean> {
    return (await this.call<"unpin">({ op: "unpin", cid })).removed;
  }

  async isPinned(cid: string): Promise<boolean> {
    return (await this.call<"isPinned">({ op: "isPinned", cid })).pinned;
  }

  async pins(): Promise<string[]> {
    return (await this.call<"pins">({ op: "pins" })).cids;
  }

  async gc(): Promise<number> {
    return (await this.call<"gc">({ op: "gc" })).removed;
  }

  /** Whether the worker is up (for /health). */
  healthy(): boolean {
    return this.worker !== null && this.failure === null;
  }

  /** Let Helia close its stores, but never wait on it for more than a few seconds. */
  async stop(): Promise<void> {
    if (!this.worker) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.call<"stop">({ op: "stop" }).catch(() => undefined), new Promise((r) => (timer = setTimeout(r, STOP_TIMEOUT_MS)))]);
    clearTimeout(timer);
    this.worker.terminate();
    this.worker = null;
  }
}
