// IPFS pins made after the answer. A file that fits one block is indexed with the CID its bytes
// hash to (single-block-cid.ts), and the pin is owed: recorded in owed_pins in the transaction that
// indexes the file, then made here — the IPFS worker imports the blob and pins it — off the write's
// path. The file's bytes are already durable in the blob store; the pin is IPFS's copy of them.
// Owed pins a crash (or a stop) left are made at the next start; a failed one is tried again later.
import type { BlobSource } from "../../../workers/protocol.ts";
import type { Logger } from "../../log.ts";
import { blobSourceOfCid } from "./blob-of-cid.ts";
import type { BlobStore } from "./blob-store.ts";
import type { FilesRepository, OwedPin } from "./files.repository.ts";
import type { IpfsClient } from "./ipfs.client.ts";

export interface OwedPinsDeps {
  repo: FilesRepository;
  blobs: BlobStore;
  ipfs: IpfsClient;
  log: Logger;
}

/** Imports under way at once (the worker overlaps one's disk wait with another's hashing). */
const CONCURRENCY = 4;
/** Rows read per pass. */
const BATCH = 64;
/** After a failure, the next attempt waits this long (a worker that cannot start, a full disk). */
const RETRY_MS = 30_000;
/**
 * Pins wait for a pause in writing this long (each makes a block file and a pin record, whose disk
 * flushes would queue with the next writes' own)…
 */
const QUIET_MS = 100;
/** …but never longer than this after the first of them. */
const MAX_WAIT_MS = 1000;

export class OwedPins {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private quietTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the oldest pin waiting for a pause was owed. */
  private waitingSince = 0;

  constructor(
    private readonly deps: OwedPinsDeps,
    private readonly retryMs = RETRY_MS,
    private readonly quietMs = QUIET_MS,
    private readonly maxWaitMs = MAX_WAIT_MS,
  ) {}

  /** Record a pin owed for `blob` (call inside the transaction that indexes it). */
  owe(owner: string, blob: string, cid: string): void {
    this.deps.repo.owePin(owner, blob, cid);
  }

  /** Accept work again after stop() (the node starting), and make what a crash or a stop left owed. */
  start(): void {
    this.stopped = false;
    this.pinNow();
  }

  /** A pin was owed (after a commit): made at the next pause in writing, or within MAX_WAIT_MS. */
  pinOwed(): void {
    if (this.stopped) return;
    const now = performance.now();
    if (this.quietTimer) clearTimeout(this.quietTimer);
    else this.waitingSince = now;
    const wait = Math.min(this.quietMs, this.waitingSince + this.maxWaitMs - now);
    this.quietTimer = setTimeout(() => this.pinNow(), Math.max(0, wait));
    this.quietTimer.unref();
  }

  /** Make every owed pin now; resolves once none is being made (what failed stays owed). */
  async settled(): Promise<void> {
    if (this.quietTimer) this.pinNow();
    while (this.running) await this.running;
  }

  /** No new pass starts; the one under way finishes its imports. What is left stays owed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer), (this.retryTimer = null);
    if (this.quietTimer) clearTimeout(this.quietTimer), (this.quietTimer = null);
    while (this.running) await this.running;
  }

  /** Start a pass, or have the one under way go again. (Nothing calls it after stop() but start().) */
  private pinNow(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer), (this.quietTimer = null);
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.passes().finally(() => (this.running = null));
  }

  private async passes(): Promise<void> {
    do {
      this.again = false;
      const rows = this.deps.repo.owedPins(BATCH);
      let failed = false;
      for (let i = 0; i < rows.length && !this.stopped; i += CONCURRENCY) {
        const results = await Promise.all(rows.slice(i, i + CONCURRENCY).map((row) => this.pin(row)));
        failed ||= results.includes(false);
      }
      if (failed) return this.retryLater();
      // A full batch may have more behind it.
      this.again ||= rows.length === BATCH;
    } while (this.again && !this.stopped);
  }

  /** Import and pin one blob; false if it failed and stays owed. */
  private async pin({ owner, blob, cid }: OwedPin): Promise<boolean> {
    const { repo, ipfs, log } = this.deps;
    const source = this.source(owner, blob, cid);
    let pinned: string | null = null;
    try {
      // No bytes left with this CID (the file was deleted or overwritten, and no copy is left): nothing to pin.
      if (source) pinned = await ipfs.add(source);
    } catch (err) {
      if (this.source(owner, blob, cid)) {
        log.warn("an owed IPFS pin failed; it is tried again later", { cid, err });
        return false;
      }
    }
    if (pinned !== null && pinned !== cid) {
      // Cannot happen while the import settings and single-block-cid.ts agree (a test holds them to it);
      // if it does, the index takes the CID IPFS has.
      log.error("an owed pin's CID differs from the index's; the index takes the import's", { cid, pinned });
      repo.setCidOfBlob(owner, blob, pinned);
    }
    repo.pinPaid(owner, blob);
    // The file went while it was pinned: the pin is nobody's.
    if (pinned !== null && !repo.cidInUse(pinned)) await ipfs.unpin(pinned).catch(() => undefined);
    return true;
  }

  /**
   * The bytes to import: the owed blob's, or — if its file went meanwhile — a copy's (same CID, another
   * blob). The copy may be another wallet's: the pin is the node's, and the bytes are the CID's own.
   */
  private source(owner: string, blob: string, cid: string): BlobSource | null {
    const { repo, blobs } = this.deps;
    return blobs.source(owner, blob) ?? blobSourceOfCid(repo, blobs, cid);
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pinNow();
    }, this.retryMs);
    this.retryTimer.unref();
  }
}
