// Run inside a network namespace by netns-topology.test.ts (`ip netns exec <ns> bun this-file …`):
// each action prints one JSON line. `setup`: claim a node at <url> with the setup code, confirm the
// phrase, turn networking on, wait for its public address, and optionally register a name.
// `client`: from the client's namespace, use the node only through the super node. `tls-client`:
// the same over https://<name> passed through the gateway by SNI, and a marker sent in clear over
// http://<name> (the control: the super node must see that one). PC2_TEST_CA: the CA to trust.
import { readFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { Wallet } from "ethers";

const [action, ...args] = process.argv.slice(2);

// HTTPS here trusts exactly the test CA.
if (process.env.PC2_TEST_CA) {
  const ca = readFileSync(process.env.PC2_TEST_CA, "utf8");
  const plainFetch = globalThis.fetch;
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) =>
    plainFetch(input, { ...init, tls: { ca, ...((init as { tls?: object } | undefined)?.tls ?? {}) } } as RequestInit)) as typeof fetch;
}

async function signIn(base: string, wallet: Wallet, headers: Record<string, string> = {}, setupCode?: string): Promise<string> {
  const post = (path: string, body: unknown) => fetch(base + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const { message } = await (await post("/api/auth/challenge", { address: wallet.address })).json();
  const res = await post("/api/auth/login", { message, signature: await wallet.signMessage(message), ...(setupCode ? { setupCode } : {}) });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}

async function setup(url: string, setupCode: string, key: string, name?: string) {
  const token = await signIn(url, new Wallet(key), {}, setupCode);
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const phrase = await fetch(`${url}/api/identity/phrase`, { headers: auth });
  if (phrase.status === 200) {
    const { words } = await phrase.json();
    await fetch(`${url}/api/identity/phrase/confirm`, { method: "POST", headers: auth, body: JSON.stringify({ answers: [1, 2, 3].map((index) => ({ index, word: words[index - 1] })) }) });
  }
  let status = await (await fetch(`${url}/api/network/settings`, { method: "PUT", headers: auth, body: JSON.stringify({ enabled: true }) })).json();
  for (let i = 0; i < 200 && name && !status.publicEndpoint; i++) {
    await Bun.sleep(100);
    status = await (await fetch(`${url}/api/network/status`, { headers: auth })).json();
  }
  const registered = name ? await (await fetch(`${url}/api/network/name`, { method: "PUT", headers: auth, body: JSON.stringify({ name }) })).json() : null;
  return { nodeId: status.nodeId, publicEndpoint: status.publicEndpoint, registered, proxyPort: status.relay.server?.port ?? null };
}

async function client(publicUrl: string, gatewayUrl: string, nameHost: string, key: string) {
  const wallet = new Wallet(key);
  const out: Record<string, unknown> = {};
  // The node's own address space is unreachable from here: only the super node is.
  out.info = (await (await fetch(`${publicUrl}/api/info`)).json()).nodeId;
  // http://<name> in clear: the node holds a certificate for its name, so it sends the browser to https://<name>.
  const viaName = { host: nameHost, connection: "close" };
  const byName = await fetch(`${gatewayUrl}/api/info?x=1`, { headers: viaName, redirect: "manual" });
  out.nameRedirect = { status: byName.status, location: byName.headers.get("location") };
  // The rest over the node's public port (plain HTTP through the relay).
  const token = await signIn(publicUrl, wallet);
  const auth = { authorization: `Bearer ${token}` };
  const body = new Uint8Array(randomBytes(100 * 1024 * 1024));
  const fd = new FormData();
  fd.append("path", "~/Documents");
  fd.append("file", new Blob([body]), "hundred.bin");
  let t = performance.now();
  const up = await fetch(`${publicUrl}/write`, { method: "POST", headers: auth, body: fd });
  out.upload = { status: up.status, size: (await up.json()).size, seconds: (performance.now() - t) / 1000 };
  t = performance.now();
  const down = await fetch(`${publicUrl}/read?file=${encodeURIComponent("~/Documents/hundred.bin")}`, { headers: auth });
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of down.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  out.download = { status: down.status, size, identical: hash.digest("hex") === createHash("sha256").update(body).digest("hex"), seconds: (performance.now() - t) / 1000 };
  const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${publicUrl}/api/info`, { headers: { connection: "close" } }).then((r) => r.json())));
  out.concurrent = answers.filter((a) => a.nodeId === out.info).length;
  return out;
}

/**
 * Through https://<name>:<port> at the super node's address (SNI = the name): sign in, upload a
 * file holding `secret`, read it back. Then `control` over plain http://<name> through the gateway.
 */
async function tlsClient(gatewayAddress: string, name: string, tlsPort: string, plainPort: string, key: string, secret: string, control: string) {
  const base = `https://${gatewayAddress}:${tlsPort}`;
  const viaName = { headers: { host: `${name}:${tlsPort}` }, tls: { serverName: name } };
  const out: Record<string, unknown> = {};
  const info = await fetch(`${base}/api/info`, viaName as RequestInit);
  out.info = (await info.json()).nodeId;
  out.hsts = info.headers.get("strict-transport-security");
  const post = (path: string, body: unknown) =>
    fetch(base + path, { method: "POST", headers: { "content-type": "application/json", host: `${name}:${tlsPort}` }, tls: { serverName: name }, body: JSON.stringify(body) } as RequestInit);
  const wallet = new Wallet(key);
  const { message } = await (await post("/api/auth/challenge", { address: wallet.address })).json();
  out.siweUri = /URI: (\S+)/.exec(message)?.[1];
  const login = await post("/api/auth/login", { message, signature: await wallet.signMessage(message) });
  out.cookie = login.headers.get("set-cookie");
  const { token } = await login.json();
  out.token = token;
  const auth = { authorization: `Bearer ${token}`, host: `${name}:${tlsPort}` };
  const fd = new FormData();
  fd.append("path", "~/Documents");
  fd.append("file", new Blob([`${secret}\n`.repeat(1000)]), "secret.txt");
  out.upload = (await fetch(`${base}/write`, { method: "POST", headers: auth, body: fd, tls: { serverName: name } } as RequestInit)).status;
  const back = await fetch(`${base}/read?file=${encodeURIComponent("~/Documents/secret.txt")}`, { headers: auth, tls: { serverName: name } } as RequestInit);
  out.readBack = (await back.text()).startsWith(secret);
  // The control, in clear through the gateway's plain port (answered with a redirect to HTTPS): the super node does see this one.
  out.control = (await fetch(`http://${gatewayAddress}:${plainPort}/api/info?${control}`, { headers: { host: `${name}:${plainPort}`, connection: "close" }, redirect: "manual" })).status;
  return out;
}

const result =
  action === "setup"
    ? await setup(args[0]!, args[1]!, args[2]!, args[3])
    : action === "tls-client"
      ? await tlsClient(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!)
      : await client(args[0]!, args[1]!, args[2]!, args[3]!);
console.log(JSON.stringify(result));
process.exit(0);
