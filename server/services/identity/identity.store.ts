// identity.json on disk: folder 0700, file 0600, written atomically, checked for consistency on read.
import { chmodSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, writeFileAtomic } from "../../fs/atomic-write.ts";
import { keysFromSecret, NODE_KEY_PATH } from "./node-id.ts";

export interface IdentityRecord {
  version: 1;
  nodeId: string;
  did: string;
  /** Hex of the 32-byte ed25519 public key. */
  publicKey: string;
  /** Hex of the 32-byte ed25519 private key (the SLIP-0010 child key). */
  secretKey: string;
  derivationPath: string;
  /** The recovery phrase, kept only until the Owner confirms they wrote it down. */
  mnemonic?: string;
  createdAt: string;
  phraseConfirmedAt: string | null;
}

export class IdentityFileError extends Error {
  override name = "IdentityFileError";
}

export class IdentityStore {
  readonly dir: string;
  readonly file: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "identity");
    this.file = join(this.dir, "identity.json");
  }

  exists(): boolean {
    return existsSync(this.file);
  }

  read(): IdentityRecord {
    let record: IdentityRecord;
    try {
      record = JSON.parse(readFileSync(this.file, "utf8"));
    } catch (err) {
      throw new IdentityFileError(`cannot read ${this.file}: ${(err as Error).message}`);
    }
    this.check(record);
    this.tightenPermissions();
    return record;
  }

  write(record: IdentityRecord): void {
    this.check(record);
    ensurePrivateDir(this.dir);
    chmodSync(this.dir, 0o700);
    writeFileAtomic(this.file, JSON.stringify(record, null, 2) + "\n", 0o600);
  }

  /** A file whose key does not produce its own Node ID is refused rather than used. */
  private check(r: IdentityRecord): void {
    if (r?.version !== 1 || typeof r.secretKey !== "string" || !/^[0-9a-f]{64}$/.test(r.secretKey)) {
      throw new IdentityFileError(`${this.file} is not a PC2 identity file (version 1)`);
    }
    const keys = keysFromSecret(Buffer.from(r.secretKey, "hex"));
    if (keys.nodeId !== r.nodeId || keys.did !== r.did || Buffer.from(keys.publicKey).toString("hex") !== r.publicKey) {
      throw new IdentityFileError(`${this.file} is inconsistent: its key does not match its Node ID`);
    }
    if (r.derivationPath !== NODE_KEY_PATH) throw new IdentityFileError(`${this.file} uses an unknown key path ${r.derivationPath}`);
  }

  /** Someone may have copied the folder with a loose umask; put the modes back. */
  private tightenPermissions(): void {
    if ((statSync(this.dir).mode & 0o077) !== 0) chmodSync(this.dir, 0o700);
    if ((statSync(this.file).mode & 0o077) !== 0) chmodSync(this.file, 0o600);
  }
}
