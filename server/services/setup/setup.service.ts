// Claiming the node: while nobody owns it, a fresh one-time setup code is issued at each start.
import type { Logger } from "../../log.ts";
import { generateSetupCode, hashSetupCode, setupCodeMatches } from "./setup-code.ts";
import type { CodeSource, SetupRepository } from "./setup.repository.ts";

export interface SetupStatus {
  claimed: boolean;
  /** The code to show in the start banner, only on the start that issued it. */
  code: string | null;
  /** Where the live code came from; "reset" codes were printed by `pc2 owner reset` and are not known here. */
  source: CodeSource | null;
}

export class SetupService {
  private pendingHash: Promise<void> = Promise.resolve();
  private issued: SetupStatus | null = null;

  constructor(
    private readonly repo: SetupRepository,
    private readonly presetCode: string | null,
    private readonly log: Logger,
  ) {}

  /**
   * Issue this start's setup code if the node is unclaimed. The code is known at once (for the
   * banner); hashing runs off the request path and verify() waits for it.
   */
  start(): SetupStatus {
    this.issued = this.issue();
    return this.issued;
  }

  /** What the last start issued (for the banner). */
  issuedStatus(): SetupStatus {
    return this.issued ?? { claimed: this.isClaimed(), code: null, source: null };
  }

  /** Let the code's hash reach the database before it closes. */
  async stop(): Promise<void> {
    await this.pendingHash.catch(() => undefined);
  }

  private issue(): SetupStatus {
    const row = this.repo.get();
    if (row.claimed_at !== null) {
      return { claimed: true, code: null, source: null };
    }
    // A code from `pc2 owner reset` survives restarts: the operator holds it, the node only its hash.
    if (row.code_source === "reset" && row.code_hash && this.presetCode === null) {
      return { claimed: false, code: null, source: "reset" };
    }
    const code = this.presetCode ?? generateSetupCode();
    const source: CodeSource = this.presetCode === null ? "start" : "preset";
    this.pendingHash = hashSetupCode(code).then((hash) => this.repo.setCodeHash(hash, source, Date.now()));
    this.pendingHash.catch((err) => this.log.error("could not store the setup code hash", { err }));
    return { claimed: false, code, source };
  }

  /** Resolves when the code hash is stored (for shutdown and tests). */
  ready(): Promise<void> {
    return this.pendingHash;
  }

  isClaimed(): boolean {
    return this.repo.get().claimed_at !== null;
  }

  /** Does this code match the live one? Always false once the node is claimed. */
  async verify(code: string): Promise<boolean> {
    await this.pendingHash;
    const row = this.repo.get();
    if (row.claimed_at !== null || !row.code_hash) return false;
    return setupCodeMatches(code, row.code_hash);
  }

  /** The first Owner used the code: record the claim and kill the code. False if someone else won. */
  claim(wallet: string): boolean {
    const ok = this.repo.claim(wallet, Date.now());
    if (ok) this.log.info("node claimed", { owner: wallet });
    return ok;
  }
}
