// fsync(2) on threads of our own. Bun sends an async fsync to its file-system pool, which has one
// thread per core: on a 2-core node two flushes wait at a time and every other writer queues behind
// them, although the disk's journal would commit many at once. Here up to POOL_SIZE flushes wait
// together (50 concurrent 1 KiB writes: about +10% writes per second on a quiet machine, +50% with
// both cores busy; docs/performance.md). Threads start with the first flush and end after IDLE_MS
// without one, so an idle node runs none; while a flush is under way its thread keeps the process
// alive.
import type { FsyncRequest, FsyncResponse } from "../../workers/fsync-protocol.ts";
import { workerUrl } from "../worker-url.ts";

const POOL_SIZE = 8;
const IDLE_MS = 10_000;

/** The DOM's Worker type (in scope for the desktop's code) lacks Bun's ref/unref. */
type RefWorker = Worker & Pick<Bun.Worker, "ref" | "unref">;

interface Thread {
  worker: RefWorker;
  busy: number;
}

interface Waiting {
  thread: Thread;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** An fsync that failed, with the system's code (so ENOSPC and EIO read as they do from node:fs). */
function flushError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

export class FsyncPool {
  private threads: Thread[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly size = POOL_SIZE,
    readonly idleMs = IDLE_MS,
    /** The threads' module (tests give a stand-in that holds answers or dies). */
    private readonly script: string | URL = workerUrl("fsync.worker.ts"),
  ) {}

  /**
   * Flush an open descriptor to the disk; the caller keeps it open until this settles. `dataOnly`:
   * fdatasync(2), which skips the file's times (its size is still flushed when it grew).
   */
  sync(fd: number, dataOnly = false): Promise<void> {
    return this.call((id) => ({ id, fd, dataOnly }));
  }

  /**
   * Create a file that must not exist yet (owner-only), write `bytes` to it, flush it and close it,
   * all on a thread: the event loop makes no file-system call for it. The chunks are gathered into
   * one buffer of their size, handed over without a copy: a chunk of a request body can be a view
   * of a far larger buffer, which a message would copy whole.
   */
  createFile(path: string, chunks: Uint8Array[]): Promise<void> {
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    return this.call((id) => ({ id, create: path, bytes }), [bytes.buffer]);
  }

  /** Rename `from` to `to` on a thread, making `to`'s folder (owner-only) first if it is missing. */
  move(from: string, to: string): Promise<void> {
    return this.call((id) => ({ id, move: [from, to] }));
  }

  private call(request: (id: number) => FsyncRequest, transfer: Transferable[] = []): Promise<void> {
    this.cancelRetirement(); // no thread ends while a flush is under way
    const thread = this.leastBusy();
    const id = this.nextId++;
    // A busy thread holds the process open (Bun 1.4 also waits for a worker's answer unasked).
    if (thread.busy++ === 0) thread.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { thread, resolve, reject });
      thread.worker.postMessage(request(id), transfer);
    });
  }

  /** Threads running now (for tests). */
  running(): number {
    return this.threads.length;
  }

  /** End every thread; flushes still waiting fail. */
  stop(): void {
    for (const t of this.threads) t.worker.terminate();
    this.threads = [];
    this.failAll(new Error("the fsync pool was stopped"));
    this.cancelRetirement();
  }

  private leastBusy(): Thread {
    let best = this.threads.find((t) => t.busy === 0);
    if (!best && this.threads.length < this.size) best = this.start();
    best ??= this.threads.reduce((a, b) => (b.busy < a.busy ? b : a));
    return best;
  }

  private start(): Thread {
    const worker = new Worker(this.script) as RefWorker;
    const thread: Thread = { worker, busy: 0 };
    worker.onmessage = (event: MessageEvent<FsyncResponse>) => this.settle(event.data);
    worker.onerror = (event) => {
      // A thread that died answers nothing: fail what it held and start afresh on the next flush.
      this.threads = this.threads.filter((t) => t !== thread);
      worker.terminate();
      for (const [id, w] of this.waiting) {
        if (w.thread !== thread) continue;
        this.waiting.delete(id);
        w.reject(new Error(`fsync thread failed: ${event.message}`));
      }
    };
    this.threads.push(thread);
    return thread;
  }

  private settle({ id, code, message }: FsyncResponse): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    if (--w.thread.busy === 0) w.thread.worker.unref();
    if (code) w.reject(flushError(code, message ?? code));
    else w.resolve();
    if (this.waiting.size === 0) this.retireWhenIdle();
  }

  private cancelRetirement(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private retireWhenIdle(): void {
    this.cancelRetirement();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      for (const t of this.threads) t.worker.terminate();
      this.threads = [];
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

/** The node's pool, shared by every durable write (server/fs/durable-steps.ts). */
export const fsyncPool = new FsyncPool();
