// A PC2 node for benchmarks: `bun server/main.ts start` on a free port with its own data dir,
// and a signed-in Owner (a fresh wallet with the setup code).
import { join } from "node:path";
import { Wallet } from "ethers";

const ROOT = join(import.meta.dir, "..", "..");

export async function startNode(dataDir: string, env: Record<string, string> = {}): Promise<{ url: string; pid: number; stop: () => Promise<void>; code: string }> {
  const proc = Bun.spawn([process.execPath, join(ROOT, "server", "main.ts"), "start"], {
    env: { ...process.env, PC2_DATA_DIR: dataDir, PC2_PORT: "0", PC2_LOG_FORMAT: "json", PC2_LOG_LEVEL: "info", ...env },
    stdout: "pipe",
    stderr: "inherit",
  });
  let out = "";
  const reader = proc.stdout.getReader();
  while (!/"msg":"listening"/.test(out)) {
    const { done, value } = await reader.read();
    if (done) throw new Error("node exited:\n" + out);
    out += new TextDecoder().decode(value);
  }
  void (async () => {
    for (;;) if ((await reader.read()).done) return;
  })();
  return {
    url: /"url":"(https?:\/\/[^"]+)"/.exec(out)![1]!,
    pid: proc.pid,
    code: /Setup code: (\S+)/.exec(out)?.[1] ?? "", // none once the node has an Owner
    stop: async () => {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

export async function signIn(url: string, code: string): Promise<Record<string, string>> {
  const wallet = Wallet.createRandom();
  const post = (path: string, body: unknown) => fetch(url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const { message } = await (await post("/api/auth/challenge", { address: wallet.address })).json();
  const { token } = await (await post("/api/auth/login", { message, signature: await wallet.signMessage(message), setupCode: code })).json();
  return { authorization: `Bearer ${token}` };
}

/** A 1 KiB upload (POST /write) to the Owner's home; its time in ms, as the client sees it. */
export async function smallWrite(url: string, auth: Record<string, string>, name: string): Promise<number> {
  const form = new FormData();
  form.set("path", "~");
  form.set("name", name);
  form.set("overwrite", "true");
  form.set("file", new Blob([new Uint8Array(1024).fill(97)]), name);
  const t = performance.now();
  const wrote = await fetch(`${url}/write`, { method: "POST", headers: auth, body: form });
  await wrote.arrayBuffer();
  if (wrote.status !== 200) throw new Error(`write failed: ${wrote.status}`);
  return performance.now() - t;
}

/** The `calc` sample run once (`6*7`); its time in ms, as the client sees it. */
export async function wasmRun(url: string, auth: Record<string, string>): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${url}/api/wasm/execute`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ app: "calc", args: ["6*7"] }),
  });
  const body = (await res.json()) as { result?: { stdout: string } };
  if (body.result?.stdout !== "42\n") throw new Error(`the WASM run failed: ${res.status} ${JSON.stringify(body)}`);
  return performance.now() - t;
}
