// Shared browser-test fixtures: a real node per test file, and an EIP-1193 wallet backed by ethers.
import { test as base, expect, type Locator, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Wallet, getBytes } from "ethers";

export const SETUP_CODE = "e2e-setup-code-1234";
const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BUN = join(REPO, "node_modules", ".bin", "bun");

export interface RunningNode {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** Start `bun server/main.ts` on a free port with a temp data dir and a preset setup code. */
export async function startNode(extraEnv: Record<string, string> = {}): Promise<RunningNode> {
  const dataDir = mkdtempSync(join(tmpdir(), "pc2-e2e-"));
  // A home of its own: the terminal's shell starts there, reads its rc files and writes its
  // history there — never the developer's (whose history and rc files once kept the prompt away).
  const home = mkdtempSync(join(tmpdir(), "pc2-e2e-home-"));
  const proc: ChildProcess = spawn(BUN, [join(REPO, "server", "main.ts"), "start"], {
    env: {
      ...process.env,
      HOME: home,
      PC2_DATA_DIR: dataDir,
      PC2_NETWORK_BOOTSTRAP: "none",
      PC2_NETWORK_IPV4: "127.0.0.1",
      PC2_NETWORK_PORT: "0",
      PC2_PORT: "0",
      PC2_SETUP_CODE: SETUP_CODE,
      PC2_LOG_FORMAT: "json",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`node did not start:\n${out}`)), 20_000);
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = /"msg":"listening","url":"(https?:\/\/[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    proc.on("exit", (code) => fail(new Error(`node exited with ${code}:\n${out}`)));
  });
  return {
    url,
    dataDir,
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface WalletOptions {
  /** Reject eth_requestAccounts (or personal_sign) with EIP-1193 code 4001. */
  reject?: "accounts" | "sign";
  /** Connect as `wallet` but sign with this other key (a wallet that switched accounts mid-way). */
  signWith?: Wallet;
}

/** Inject window.ethereum (and an EIP-6963 announcement) answered by `wallet` on the test side. */
export async function injectWallet(page: Page, wallet: Wallet, opts: WalletOptions = {}): Promise<string[]> {
  const calls: string[] = [];
  await page.exposeFunction("__pc2Eip1193", async (method: string, params: unknown[]) => {
    calls.push(method);
    if (method === "eth_requestAccounts" || method === "eth_accounts") {
      if (opts.reject === "accounts") return { __eip1193Error: { code: 4001, message: "User rejected the request." } };
      return [wallet.address];
    }
    if (method === "eth_chainId") return "0x1";
    if (method === "personal_sign") {
      if (opts.reject === "sign") return { __eip1193Error: { code: 4001, message: "User rejected the request." } };
      return (opts.signWith ?? wallet).signMessage(getBytes(params[0] as string));
    }
    return { __eip1193Error: { code: 4200, message: `Unsupported method ${method}` } };
  });
  await page.addInitScript(() => {
    const provider = {
      async request({ method, params }: { method: string; params?: unknown[] }) {
        const r = await (window as unknown as { __pc2Eip1193(m: string, p: unknown[]): Promise<unknown> }).__pc2Eip1193(method, params ?? []);
        const e = (r as { __eip1193Error?: { code: number; message: string } })?.__eip1193Error;
        if (e) throw Object.assign(new Error(e.message), { code: e.code });
        return r;
      },
      on() {},
      removeListener() {},
    };
    (window as unknown as { ethereum: unknown }).ethereum = provider;
    window.addEventListener("eip6963:requestProvider", () => {
      window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: { info: { uuid: "test-wallet", name: "Test Wallet", rdns: "dev.pc2.test" }, provider } }));
    });
  });
  return calls;
}

/** Sign in through the real UI with `wallet`. */
export async function signInThroughUi(page: Page, url: string, wallet: Wallet): Promise<void> {
  await injectWallet(page, wallet);
  await page.goto(url);
  await page.getByRole("button", { name: "Connect wallet" }).click();
  await expect(page.getByRole("navigation", { name: "Taskbar" })).toBeVisible();
}

/**
 * Claim a node through its API and finish setup as the wizard would (confirm the recovery phrase),
 * for tests about what comes after setup. Returns a session token; later calls just sign in.
 */
export async function claimViaApi(url: string, wallet: Wallet): Promise<string> {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const { message } = await (await post("/api/auth/challenge", { address: wallet.address })).json();
  const res = await post("/api/auth/login", { message, signature: await wallet.signMessage(message), setupCode: SETUP_CODE });
  const token: string = (await res.json()).token;
  const auth = { authorization: `Bearer ${token}` };
  const phrase = await fetch(`${url}/api/identity/phrase`, { headers: auth });
  if (phrase.status === 200) {
    const { words } = (await phrase.json()) as { words: string[] };
    await post("/api/identity/phrase/confirm", { answers: [1, 2, 3].map((index) => ({ index, word: words[index - 1] })) }, auth);
  }
  return token;
}

/** Upload `content` as `dir`/`name` through the node's /write, with a session token. */
export async function uploadFile(url: string, token: string, dir: string, name: string, content: Uint8Array | string): Promise<unknown> {
  const fd = new FormData();
  fd.append("path", dir);
  fd.append("name", name);
  fd.append("file", new Blob([content as BlobPart]), name);
  const res = await fetch(`${url}/write`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: fd });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status}`);
  return res.json();
}

export async function invite(url: string, ownerToken: string, address: string, role: "admin" | "member"): Promise<void> {
  const res = await fetch(`${url}/api/users`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ownerToken}` }, body: JSON.stringify({ address, role }) });
  if (res.status !== 201) throw new Error(`invite failed: ${res.status}`);
}

/**
 * The text in an editor window (its code editor is CodeMirror, a contenteditable: no input value to
 * read), once its text area is showing.
 */
export async function editorText(editor: Locator): Promise<string> {
  await expect(editor.getByRole("textbox")).toBeVisible();
  return editor.evaluate((el) => (el as HTMLElement & { text: string }).text);
}

export const test = base;
export { expect };
