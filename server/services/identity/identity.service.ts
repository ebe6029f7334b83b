// The node's identity: created on first start, kept across restarts, recoverable from the phrase alone.
import type { ConfirmPhraseBody } from "./identity.schemas.ts";
import { BadRequestError, ConflictError, NotFoundError, ValidationError } from "../../errors.ts";
import type { EventBus } from "../../events.ts";
import type { Logger } from "../../log.ts";
import { KeyPair } from "../../boson/keys.ts";
import { checkPhrase, newPhrase } from "./mnemonic.ts";
import { keysFromPhrase, NODE_KEY_PATH, type NodeKeys } from "./node-id.ts";
import type { IdentityRecord, IdentityStore } from "./identity.store.ts";

/** What anyone may see about this node's identity. */
export interface PublicIdentity {
  nodeId: string;
  did: string;
  publicKey: string;
  createdAt: string;
  /** True until the Owner confirms the recovery phrase is written down (and it is erased from disk). */
  phrasePending: boolean;
}

function recordFor(keys: NodeKeys, mnemonic: string | undefined): IdentityRecord {
  const now = new Date().toISOString();
  return {
    version: 1,
    nodeId: keys.nodeId,
    did: keys.did,
    publicKey: Buffer.from(keys.publicKey).toString("hex"),
    secretKey: Buffer.from(keys.secretKey).toString("hex"),
    derivationPath: NODE_KEY_PATH,
    ...(mnemonic ? { mnemonic } : {}),
    createdAt: now,
    phraseConfirmedAt: mnemonic ? null : now,
  };
}

export class IdentityService {
  private record: IdentityRecord | null = null;
  private keyPair: KeyPair | null = null;

  constructor(
    private readonly store: IdentityStore,
    private readonly events: EventBus,
    private readonly log: Logger,
  ) {}

  /** Load the identity, or create a new one (fresh phrase) on the first start. */
  start(): PublicIdentity {
    if (this.store.exists()) {
      this.use(this.store.read());
    } else {
      const phrase = newPhrase();
      const record = recordFor(keysFromPhrase(phrase), phrase);
      this.store.write(record);
      this.use(record);
      this.log.info("created node identity", { nodeId: record.nodeId });
    }
    return this.info();
  }

  info(): PublicIdentity {
    const r = this.current();
    return { nodeId: r.nodeId, did: r.did, publicKey: r.publicKey, createdAt: r.createdAt, phrasePending: Boolean(r.mnemonic) };
  }

  /** The phrase, for the one screen that shows it to the Owner; gone once confirmed. */
  revealPhrase(): string {
    const phrase = this.current().mnemonic;
    if (!phrase) throw new NotFoundError("The recovery phrase was already confirmed and erased from this node", "phrase_erased");
    return phrase;
  }

  /**
   * The Owner proves they wrote the phrase down by giving back at least 3 of its words by position
   * (1-based); then it is erased from disk for good. Body: { answers: [{ index, word }, …] }.
   */
  confirmPhrase({ answers }: ConfirmPhraseBody): PublicIdentity {
    const r = this.current();
    if (!r.mnemonic) throw new NotFoundError("The recovery phrase was already confirmed and erased from this node", "phrase_erased");
    const words = r.mnemonic.split(" ");
    if (answers.length < 3 || answers.length > words.length) throw new ValidationError(`answers must list 3 to ${words.length} words with their positions`, { field: "answers" });
    const seen = new Set<number>();
    for (const { index, word } of answers) {
      if (index > words.length || seen.has(index)) {
        throw new ValidationError("each answer needs a distinct position from 1 to 12 and a word", { field: "answers" });
      }
      seen.add(index);
      if (word.trim().toLowerCase() !== words[index - 1]) throw new BadRequestError(`Word ${index} is not right; check what you wrote down`, "phrase_mismatch");
    }
    const { mnemonic: _erased, ...rest } = r;
    const next: IdentityRecord = { ...rest, phraseConfirmedAt: new Date().toISOString() };
    this.store.write(next);
    this.use(next);
    this.events.emit("identity.phrase_confirmed", { nodeId: next.nodeId });
    this.log.info("recovery phrase confirmed and erased", { nodeId: next.nodeId });
    return this.info();
  }

  private use(record: IdentityRecord): void {
    this.record = record;
  }

  /** The node's ed25519 secret key, for backups (signing manifests, deriving the backup keys). Never leaves the process. */
  secretKey(): Uint8Array {
    return new Uint8Array(Buffer.from(this.current().secretKey, "hex"));
  }

  /** The node key as the Boson network uses it (signing, crypto_box). Never leaves the process. */
  bosonKeys(): KeyPair {
    const r = this.current();
    if (this.keyPair?.id.toString() !== r.nodeId) this.keyPair = new KeyPair(new Uint8Array(Buffer.from(r.secretKey, "hex")));
    return this.keyPair;
  }

  private current(): IdentityRecord {
    if (!this.record) throw new Error("IdentityService used before start()");
    return this.record;
  }
}

export interface RecoverResult {
  identity: PublicIdentity;
  replaced: string | null;
}

/**
 * Rebuild identity.json from a phrase (CLI, node stopped). The phrase was just typed by its holder,
 * so it is not stored again. Replacing a different identity needs force.
 */
export function recoverIdentity(store: IdentityStore, phraseInput: string, force: boolean): RecoverResult {
  const phrase = checkPhrase(phraseInput);
  const keys = keysFromPhrase(phrase);
  let replaced: string | null = null;
  if (store.exists()) {
    let existing: string | null = null;
    try {
      existing = store.read().nodeId;
    } catch {
      existing = "(unreadable identity file)";
    }
    if (existing === keys.nodeId) {
      replaced = null;
    } else if (!force) {
      throw new ConflictError(`This node already has identity ${existing}; the phrase belongs to ${keys.nodeId}. Use --force to replace it.`, "identity_exists");
    } else {
      replaced = existing;
    }
  }
  const record = recordFor(keys, undefined);
  store.write(record);
  return {
    identity: { nodeId: record.nodeId, did: record.did, publicKey: record.publicKey, createdAt: record.createdAt, phrasePending: false },
    replaced,
  };
}
