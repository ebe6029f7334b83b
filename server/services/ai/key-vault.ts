// Secrets at rest (cloud API keys, the Ollama token): AES-256-GCM under a random node key kept in
// data/secrets/vault.key (0600). The associated data binds each ciphertext to its owner and purpose,
// so a row copied to another user's record does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, writeFileAtomic } from "../../fs/atomic-write.ts";

const VERSION = "v1";

export class KeyVault {
  private key: Buffer | null = null;

  constructor(private readonly dir: string) {}

  private nodeKey(): Buffer {
    if (this.key) return this.key;
    const file = join(this.dir, "vault.key");
    if (!existsSync(file)) {
      ensurePrivateDir(this.dir);
      writeFileAtomic(file, randomBytes(32), 0o600);
    }
    const key = readFileSync(file);
    if (key.length !== 32) throw new Error(`${file} is damaged (expected 32 bytes)`);
    this.key = key;
    return key;
  }

  seal(secret: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.nodeKey(), iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64")}`;
  }

  open(sealed: string, context: string): string {
    const raw = Buffer.from(sealed.slice(VERSION.length + 1), "base64");
    if (!sealed.startsWith(`${VERSION}:`) || raw.length < 28) throw new Error("not a sealed secret");
    const decipher = createDecipheriv("aes-256-gcm", this.nodeKey(), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
  }
}
