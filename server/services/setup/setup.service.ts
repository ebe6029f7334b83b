// Claiming the node: while nobody owns it, a fresh one-time setup code is issued at each start.
import type { Logger } from "../../log.ts";
import { generateSetupCode, hashSetupCode, setupCodeMatches } from "./setup-code.ts";
import type { SetupRepository } from "./setup.repository.ts";

export interface SetupStatus {
  claimed: boolean;
  /** The code to show in the start banner, only on the start that issued it. */
  code: string | null;
  preset: boolean;
}

export class SetupService {
  private pendingHash: Promise<void> = Promise.resolve();
  private issued: SetupStatus = { claimed: false, code: null, preset: false };

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
    if (this.repo.get().claimed_at !== null) {
      this.issued = { claimed: true, code: null, preset: false };
      return this.issued;
    }
    const code = this.presetCode ?? generateSetupCode();
    this.issued = { claimed: false, code, preset: this.presetCode !== null };
    this.pendingHash = hashSetupCode(code).then((hash) => this.repo.setCodeHash(hash, Date.now()));
    this.pendingHash.catch((err) => this.log.error("could not store the setup code hash", { err }));
    return this.issued;
  }

  /** Resolves when the code hash is stored (for shutdown and tests). */
  ready(): Promise<void> {
    return this.pendingHash;
  }

  status(): SetupStatus {
    return { ...this.issued, claimed: this.repo.get().claimed_at !== null };
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

  /** `pc2 owner reset`: forget the claim and issue a new code (returned for the operator's terminal). */
  async reset(): Promise<string> {
    this.repo.unclaim();
    const code = generateSetupCode();
    this.repo.setCodeHash(await hashSetupCode(code), Date.now());
    this.issued = { claimed: false, code, preset: false };
    return code;
  }
}
