// The workers that seal and open backup pieces (workers/backup-seal.worker.ts): started on first use
// and stopped after a minute without work — a node that is not backing up runs none. One by
// default: each sealing worker costs ~15 MB and ~50 MB more while it works (age's JavaScript
// ChaCha20 allocates per 64 KiB), and a backup must stay within 100 MB of an idle node; a second
// one gives ~1.6× the speed on two cores for that memory. Each call goes to the worker with the fewest waiting, with a
// copy of the bytes (moved, not cloned again); the answer is moved back.
import type { SealRequest, SealResponse } from "../../workers/backup-seal-protocol.ts";
import { workerUrl } from "../worker-url.ts";

const IDLE_MS = 60_000;

interface Lane {
  worker: Worker;
  waiting: Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>;
}

export class SealPool {
  private lanes: Lane[] = [];
  private nextId = 1;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(readonly size = 1) {}

  /** How many pieces are worth having in flight: one more than the workers, so none waits for the next. */
  get parallelism(): number {
    return this.size + 1;
  }

  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const lane: Lane = { worker: new Worker(workerUrl("backup-seal.worker.ts")), waiting: new Map() };
      lane.worker.onmessage = (e: MessageEvent<SealResponse>) => {
        const w = lane.waiting.get(e.data.id);
        if (!w) return;
        lane.waiting.delete(e.data.id);
        if (e.data.ok) w.resolve(e.data.bytes);
        else w.reject(new Error(e.data.error));
        this.armIdle();
      };
      lane.worker.onerror = (e) => {
        // A dead worker answers nothing: fail everything waiting; the pool starts afresh next time.
        const err = new Error(`backup worker failed: ${e.message}`);
        for (const l of this.lanes) {
          for (const w of l.waiting.values()) w.reject(err);
          l.waiting.clear();
        }
        this.stop();
      };
      // Never keep the process alive for an idle worker.
      (lane.worker as Worker & { unref?: () => void }).unref?.();
      this.lanes.push(lane);
    }
  }

  private armIdle(): void {
    if (this.lanes.some((l) => l.waiting.size > 0)) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), IDLE_MS);
    this.idleTimer.unref?.();
  }

  private call(op: "seal" | "open", key: string, input: Uint8Array): Promise<Uint8Array> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.lanes.length === 0) this.start();
    const lane = this.lanes.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      lane.waiting.set(id, { resolve, reject });
      // A copy is moved to the worker: the caller's bytes stay theirs (a reused read buffer, a stored chunk).
      const bytes = input.slice();
      const req: SealRequest = op === "seal" ? { id, op, recipient: key, bytes } : { id, op, identity: key, bytes };
      lane.worker.postMessage(req, [bytes.buffer as ArrayBuffer]);
    });
  }

  /** `bytes` sealed (age, X25519) to `recipient`. */
  seal(recipient: string, bytes: Uint8Array): Promise<Uint8Array> {
    return this.call("seal", recipient, bytes);
  }

  /** `sealed` opened with `identity`; rejects when it does not open (wrong key, damaged). */
  open(identity: string, sealed: Uint8Array): Promise<Uint8Array> {
    return this.call("open", identity, sealed);
  }

  stop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    for (const lane of this.lanes.splice(0)) lane.worker.terminate();
  }
}

/** The process's pool (backups run one at a time; restores and verifies share it). */
export const sealPool = new SealPool();
