// Which function a request to /fn/<owner>/<name>/ is for, kept in memory for a moment. Reading the
// function's row from SQLite was a fifth of the node's work for a warm hello world (a read
// transaction costs tens of microseconds on a busy 2-core machine: docs/performance.md). Every
// change this process makes forgets the row at once (the service calls forget, and forgetAll after
// a user's removal deletes their functions by cascade); a change made by another process — the
// `pc2 owner reset` command on a running node — is seen within TTL_MS. Only functions that exist
// are kept, so a caller trying names fills nothing.
import type { FunctionRow } from "./functions.repository.ts";

/** How long a row read from the database is trusted without reading it again. */
export const DIRECTORY_TTL_MS = 1000;

export class FunctionDirectory {
  private readonly rows = new Map<string, { row: FunctionRow; until: number }>();

  constructor(
    private readonly read: (owner: string, name: string) => FunctionRow | null,
    private readonly ttlMs = DIRECTORY_TTL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  find(owner: string, name: string): FunctionRow | null {
    const key = keyOf(owner, name);
    const now = this.now();
    const kept = this.rows.get(key);
    if (kept && now < kept.until) return kept.row;
    const row = this.read(owner, name);
    if (row) this.rows.set(key, { row, until: now + this.ttlMs });
    else this.rows.delete(key);
    return row;
  }

  /** The function changed (deploy, rollback, settings, removal): the next request reads it again. */
  forget(owner: string, name: string): void {
    this.rows.delete(keyOf(owner, name));
  }

  /** Functions changed behind the service's back (a user's removal cascades to theirs). */
  forgetAll(): void {
    this.rows.clear();
  }
}

// Addresses arrive lowercased from the URL and checksummed from a signed-in deployer.
const keyOf = (owner: string, name: string) => `${owner.toLowerCase()}/${name}`;
