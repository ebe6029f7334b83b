// Secrets at rest: AES-256-GCM under the node's vault key, bound to owner and purpose.
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeyVault } from "../../server/services/ai/key-vault.ts";

const dir = () => join(mkdtempSync(join(tmpdir(), "pc2-vault-")), "secrets");

test("a sealed secret opens with the same context, in a new vault on the same folder (the key is kept)", () => {
  const at = dir();
  const sealed = new KeyVault(at).seal("sk-ünïcödé-🔑", "owner-a:openai");
  expect(sealed).toMatch(/^v1:[A-Za-z0-9+/=]+$/);
  expect(sealed).not.toContain("sk-");
  expect(new KeyVault(at).open(sealed, "owner-a:openai")).toBe("sk-ünïcödé-🔑");
  const key = join(at, "vault.key");
  expect(readFileSync(key).length).toBe(32);
  expect(statSync(key).mode & 0o777).toBe(0o600);
  expect(statSync(at).mode & 0o777).toBe(0o700);
});

test("each seal uses a fresh IV: the same secret seals differently", () => {
  const vault = new KeyVault(dir());
  expect(vault.seal("same", "c")).not.toBe(vault.seal("same", "c"));
});

test("another context, another key file, or a flipped byte does not open", () => {
  const at = dir();
  const sealed = new KeyVault(at).seal("secret", "owner-a:openai");
  expect(() => new KeyVault(at).open(sealed, "owner-b:openai")).toThrow();
  expect(() => new KeyVault(dir()).open(sealed, "owner-a:openai")).toThrow();
  const raw = Buffer.from(sealed.slice(3), "base64");
  // The IV, the ciphertext, the tag: any flipped bit fails authentication.
  for (const index of [0, 12, raw.length - 1]) {
    const bad = Buffer.from(raw);
    bad[index]! ^= 1;
    expect(() => new KeyVault(at).open(`v1:${bad.toString("base64")}`, "owner-a:openai")).toThrow();
  }
});

test("the key is read once: a vault keeps opening its secrets if the file goes away while it runs", () => {
  const at = dir();
  const vault = new KeyVault(at);
  const sealed = vault.seal("secret", "c");
  rmSync(join(at, "vault.key"));
  expect(vault.open(sealed, "c")).toBe("secret");
});

test("a value without the version prefix, or too short to hold IV and tag, is not a sealed secret", () => {
  const vault = new KeyVault(dir());
  const sealed = vault.seal("", "c");
  expect(vault.open(sealed, "c")).toBe("");
  expect(Buffer.from(sealed.slice(3), "base64").length).toBe(28);
  expect(() => vault.open(sealed.slice(3), "c")).toThrow("not a sealed secret");
  expect(() => vault.open(`v2:${sealed.slice(3)}`, "c")).toThrow("not a sealed secret");
  expect(() => vault.open(`v1:${Buffer.alloc(27).toString("base64")}`, "c")).toThrow("not a sealed secret");
});

test("a damaged key file is refused with its path, not used", () => {
  const at = dir();
  new KeyVault(at).seal("x", "c");
  writeFileSync(join(at, "vault.key"), Buffer.alloc(31));
  expect(() => new KeyVault(at).seal("x", "c")).toThrow(`${join(at, "vault.key")} is damaged (expected 32 bytes)`);
});
