// Talks to the IPFS worker: one request at a time per id, answers matched by id, a clean stop.
import { closeSync, openSync } from "node:fs";
import type { BlobSource, IpfsGrow, IpfsLocate, IpfsLocated, IpfsRequest, IpfsResponse, IpfsResult } from "../../../workers/protocol.ts";
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

export interface IpfsClientOptions {
  /** How long the worker may sit with nothing to do before it stops (it starts again on the next call). */
  idleMs?: number;
  /** The worker's module (tests point it elsewhere to see a worker that fails). */
  workerScript?: string | URL;
  /**
   * Where the bytes of a file with this root CID are (a blob file, or a small file's bytes), or
   * null: the worker reads a file's leaves from the file itself (workers/filestore-blockstore.ts).
   * Without it, no leaf can be read back.
   */
  locate?: (root: string) => BlobSource | null;
}

/**
 * The worker (a thread running Helia, ~9 MiB) starts with the first call, not with the node, and
 * stops after `idleMs` with no call under way: an idle node does not hold it. A worker that is
 * stopping finishes (Helia closes its stores) before the next one opens them.
 */
export class IpfsClient {
  /** The running worker, once it has been asked for; null when none runs or one is stopping. */
  private ready: Promise<Worker> | null = null;
  private retiring: Promise<void> | null = null;
  /** The worker `ready` resolved to. */
  private current: Worker | null = null;
  private started = false;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;
  private readonly idleMs: number;
  private readonly workerScript: string | URL;
  private readonly locate: (root: string) => BlobSource | null;

  constructor(
    private readonly repoDir: string,
    opts: IpfsClientOptions = {},
  ) {
    this.idleMs = opts.idleMs ?? 600_000;
    this.workerScript = opts.workerScript ?? workerUrl("ipfs.worker.ts");
    this.locate = opts.locate ?? (() => null);
  }

  /** Calls are accepted from now on; the worker itself starts with the first of them. */
  start(): void {
    this.started = true;
    this.failure = null;
  }

  /** Whether a worker is running or starting now (for tests and the idle measurements). */
  get running(): boolean {
    return this.ready !== null;
  }

  private spawn(): Worker {
    const worker = new Worker(this.workerScript);
    worker.onmessage = (e: MessageEvent<IpfsResponse | IpfsLocate>) => {
      if ("op" in e.data) return void worker.postMessage(this.located(e.data));
      const p = this.pending.get(e.data.id);
      if (!p) return;
      this.pending.delete(e.data.id);
      this.armIdle();
      if (e.data.ok) p.resolve(e.data.result);
      else p.reject(new Error(`ipfs: ${e.data.error}`));
    };
    worker.onerror = (e) => {
      // A dead worker answers nothing: fail every waiting call and every later one at once.
      this.failure = new Error(`ipfs worker failed: ${e.message}`);
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
      // Nothing to stop later: it is gone.
      if (this.current === worker) (this.current = null), (this.ready = null);
      worker.terminate();
    };
    worker.postMessage({ repoDir: this.repoDir });
    this.current = worker;
    return worker;
  }

  private located({ id, root }: IpfsLocate): IpfsLocated {
    let source: BlobSource | null = null;
    try {
      source = this.locate(root);
    } catch {
      // The index could not be asked (a closed database at a stop): no file, so no leaf.
    }
    return { op: "located", id, source };
  }

  /** The worker, started (after any stopping one has finished) if none runs. */
  private worker(): Promise<Worker> {
    if (this.idleTimer) clearTimeout(this.idleTimer), (this.idleTimer = null);
    if (!this.ready) {
      const ready = (this.retiring ?? Promise.resolve()).then(() => this.spawn());
      ready.catch(() => {
        if (this.ready === ready) this.ready = null;
      });
      this.ready = ready;
    }
    return this.ready;
  }

  /** With nothing under way, stop the worker after the idle time. */
  private armIdle(): void {
    if (this.pending.size > 0 || !this.ready) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.pending.size === 0) this.retire();
    }, this.idleMs);
    this.idleTimer.unref?.();
  }

  private retire(): Promise<void> {
    const ready = this.ready;
    if (!ready) return this.retiring ?? Promise.resolve();
    this.ready = null;
    this.current = null;
    const retiring = ready
      .then(
        (worker) => this.stopWorker(worker),
        () => undefined, // it never started: nothing to stop
      )
      .finally(() => {
        if (this.retiring === retiring) this.retiring = null;
      });
    this.retiring = retiring;
    return retiring;
  }

  /** Let Helia close its stores, but never wait on it for more than a few seconds. */
  private async stopWorker(worker: Worker): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const id = this.nextId++;
    const stopped = new Promise<void>((resolve) => {
      this.pending.set(id, { resolve: () => resolve(), reject: () => resolve() });
      worker.postMessage({ op: "stop", id });
    });
    await Promise.race([stopped, new Promise((r) => (timer = setTimeout(r, STOP_TIMEOUT_MS)))]);
    clearTimeout(timer);
    this.pending.delete(id);
    worker.terminate();
  }

  private call<K extends Op>(req: Omit<Extract<IpfsRequest, { op: K }>, "id">): Promise<ResultOf<K>> {
    if (!this.started) return Promise.reject(new Error("ipfs worker not running"));
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: IpfsResult) => void, reject });
      // Posted in call order: every post waits on the same promise.
      this.worker().then(
        (worker) => worker.postMessage({ ...req, id }),
        (err: unknown) => {
          // The worker could not be started: this call fails, the next one tries again.
          this.pending.delete(id);
          reject(new Error(`ipfs worker failed to start: ${(err as Error).message}`));
        },
      );
    });
  }

  /**
   * Import and pin a file while it is still being written: report progress with grow(), then
   * finish() (or abort()). Receiving and hashing then run at the same time, on two cores. The
   * worker reads through a descriptor opened here, so the file may be renamed into place while the
   * import finishes; it is closed once the import is over.
   */
  addGrowing(path: string): GrowingImport {
    const fd = openSync(path, "r");
    const id = this.nextId; // the id call() is about to use
    const result = this.call<"addGrowing">({ op: "addGrowing", fd })
      .then((r) => r.cid)
      .finally(() => closeSync(fd));
    result.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
    // After the addGrowing message (same promise, later turn), and only while the import is pending.
    const send = (msg: Omit<IpfsGrow, "op" | "id">) => {
      if (this.pending.has(id))
        this.ready?.then(
          (worker) => worker.postMessage({ op: "grow", id, ...msg } satisfies IpfsGrow),
          () => undefined, // the import's call fails with the reason
        );
    };
    return {
      grow: (size) => send({ size }),
      finish: (size) => (send({ size, done: true }), result),
      result,
      abort: () => send({ size: 0, abort: true }),
    };
  }

  /**
   * Import and pin a file (a path, or where its bytes are: a small file's come as they are); resolves
   * to its CID. `lean`: trade some speed for memory (imports of a whole node in a row).
   */
  async add(source: string | BlobSource, opts: { lean?: boolean } = {}): Promise<string> {
    return (await this.call<"add">({ op: "add", source: typeof source === "string" ? { path: source } : source, lean: opts.lean })).cid;
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

  /** Which of these files (root CIDs) have no leaf with a recorded place: imported before places were. */
  async unplaced(cids: string[]): Promise<string[]> {
    return (await this.call<"unplaced">({ op: "unplaced", cids })).cids;
  }

  /** Delete the stored second copies of leaves that have a place in a file (`dryRun`: count them). */
  async reclaim(dryRun: boolean): Promise<{ blocks: number; bytes: number }> {
    const { blocks, bytes } = await this.call<"reclaim">({ op: "reclaim", dryRun });
    return { blocks, bytes };
  }

  /**
   * Read the file `cid` back through IPFS, every block checked against its hash (`pc2 storage check
   * --deep`). `mend`: a damaged stored block is deleted (`dropped`), for an import to write again.
   */
  async verify(cid: string, opts: { mend?: boolean } = {}): Promise<{ blocks: number; size: number; problem: string | null; dropped: string | null }> {
    const { blocks, size, problem, dropped } = await this.call<"verify">({ op: "verify", cid, mend: opts.mend === true });
    return { blocks, size, problem, dropped };
  }

  /** Whether the worker can serve calls (for /health): started, and not failed. It may be idle, not running. */
  healthy(): boolean {
    return this.started && this.failure === null;
  }

  /** Stop the worker (waiting for Helia to close its stores, a few seconds at most); no calls after. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.idleTimer) clearTimeout(this.idleTimer), (this.idleTimer = null);
    await this.retire();
  }
}
