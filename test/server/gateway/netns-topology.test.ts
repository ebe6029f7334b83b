// The real topology, in network namespaces this test creates: the super node (Active Proxy and name
// gateway) in one, a PC2 node in a second that can only dial the super node (no route anywhere
// else, and nothing can reach it), and a client in a third that reaches the node only through the
// super node's public port and http://<name>.pc2.test (which sends it to https://). Over the port:
// sign-in, 100 MiB up and down byte-identical, 50 concurrent requests. Over https://<name>.pc2.test, passed through by SNI: the
// client sees the node's own certificate, and strace on the super node's process shows it never
// read a byte of the plaintext (while a marker sent over plain HTTP, the control, is there).
// Skipped, saying so, where namespaces cannot be made.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Wallet } from "ethers";
import { readFileSync } from "node:fs";
import { inspectCertificate } from "../../../server/tls/certificate.ts";
import { TestCa } from "../../helpers/openssl-certs.ts";

const REPO = resolve(import.meta.dir, "../../..");
const BUN = process.execPath;
const ACTIONS = join(import.meta.dir, "netns-actions.ts");
const tag = `${process.pid % 10000}`;
const NS = { super: `pc2sn${tag}`, node: `pc2nd${tag}`, client: `pc2cl${tag}` };
const SETUP_CODE = "netns-setup-code-1234";

const ip = (...args: string[]) => spawnSync("ip", args, { encoding: "utf8" });
const canMakeNamespaces = (() => {
  const probe = ip("netns", "add", `pc2probe${tag}`);
  if (probe.status !== 0) return false;
  ip("netns", "del", `pc2probe${tag}`);
  return true;
})();
if (!canMakeNamespaces)
  console.warn("netns-topology: `ip netns add` is refused here (not root?); the loopback tests in name-gateway.test.ts and network-relay.test.ts cover the same paths without namespaces");

const procs: ChildProcess[] = [];
const dirs: string[] = [];
/** The node's certificate for its public name, from a CA the client trusts. */
const ca = canMakeNamespaces ? new TestCa() : null;
const leaf = ca?.leaf(["netns-alice.pc2.test", "localhost", "127.0.0.1"]);
const superProc: { pid?: number } = {};

function sh(...args: string[]): void {
  const r = ip(...args);
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
}

/** Start a node in a namespace; resolves once it listens. */
function startIn(ns: string, env: Record<string, string>): Promise<ChildProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "pc2-netns-"));
  dirs.push(dataDir);
  const proc = spawn("ip", ["netns", "exec", ns, BUN, join(REPO, "server/main.ts"), "start"], {
    env: {
      ...process.env,
      PC2_DATA_DIR: dataDir,
      PC2_PORT: "4200",
      PC2_HOST: "127.0.0.1",
      PC2_SETUP_CODE: SETUP_CODE,
      PC2_LOG_FORMAT: "json",
      PC2_NETWORK_BOOTSTRAP: "none",
      PC2_NETWORK_DEVELOPMENT_MODE: "true",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  procs.push(proc);
  return new Promise((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`no start in ${ns}:\n${out}`)), 30_000);
    proc.stdout!.on("data", (d) => {
      out += d;
      if (out.includes('"msg":"listening"')) {
        clearTimeout(timer);
        ok(proc);
      }
    });
    proc.stderr!.on("data", (d) => (out += d));
    proc.on("exit", (code) => fail(new Error(`node in ${ns} exited with ${code}:\n${out}`)));
  });
}

/** Run an action of netns-actions.ts inside a namespace; its JSON answer. */
function inNs(ns: string, ...args: string[]): Promise<Record<string, any>> {
  return new Promise((ok, fail) => {
    const p = spawn("ip", ["netns", "exec", ns, BUN, ACTIONS, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PC2_TEST_CA: ca?.caFile ?? "" } });
    let out = "";
    let err = "";
    p.stdout!.on("data", (d) => (out += d));
    p.stderr!.on("data", (d) => (err += d));
    p.on("exit", (code) => (code === 0 ? ok(JSON.parse(out.trim().split("\n").pop()!)) : fail(new Error(`${args[0]} in ${ns} failed (${code}): ${err}${out}`))));
  });
}

const owner = Wallet.createRandom();
let nodeSetup: Record<string, any>;

beforeAll(async () => {
  if (!canMakeNamespaces) return;
  for (const ns of Object.values(NS)) {
    sh("netns", "add", ns);
    sh("-n", ns, "link", "set", "lo", "up");
  }
  // super ⟷ node on 10.77.1.0/24, super ⟷ client on 10.77.2.0/24; the super node forwards nothing.
  sh("link", "add", `v${tag}sn1`, "netns", NS.super, "type", "veth", "peer", "name", `v${tag}nd`, "netns", NS.node);
  sh("link", "add", `v${tag}sn2`, "netns", NS.super, "type", "veth", "peer", "name", `v${tag}cl`, "netns", NS.client);
  sh("-n", NS.super, "addr", "add", "10.77.1.1/24", "dev", `v${tag}sn1`);
  sh("-n", NS.super, "addr", "add", "10.77.2.1/24", "dev", `v${tag}sn2`);
  sh("-n", NS.node, "addr", "add", "10.77.1.2/24", "dev", `v${tag}nd`);
  sh("-n", NS.client, "addr", "add", "10.77.2.2/24", "dev", `v${tag}cl`);
  for (const [ns, dev] of [
    [NS.super, `v${tag}sn1`],
    [NS.super, `v${tag}sn2`],
    [NS.node, `v${tag}nd`],
    [NS.client, `v${tag}cl`],
  ] as const)
    sh("-n", ns, "link", "set", dev, "up");
  // The client reaches the super node's public address (10.77.1.1, as a host on the Internet would);
  // the super node does not forward, so the node behind it stays out of reach.
  sh("-n", NS.client, "route", "add", "10.77.1.1/32", "via", "10.77.2.1");

  superProc.pid = (
    await startIn(NS.super, {
      PC2_NETWORK_MODE: "super",
      PC2_NETWORK_IPV4: "0.0.0.0",
      PC2_NETWORK_PROXY_PORT: "8090",
      PC2_NETWORK_PROXY_PORTS: "25000-25009",
      PC2_NETWORK_GATEWAY_DOMAIN: "pc2.test",
      PC2_NETWORK_GATEWAY_PORT: "8091",
      PC2_NETWORK_GATEWAY_TLS_PORT: "8443",
    })
  ).pid;
  const superSetup = await inNs(NS.super, "setup", "http://127.0.0.1:4200", SETUP_CODE, Wallet.createRandom().privateKey);
  // The node serves HTTPS with its own certificate for its public name.
  await startIn(NS.node, {
    PC2_NETWORK_IPV4: "10.77.1.2",
    PC2_NETWORK_SUPER_NODE: `${superSetup.nodeId}@10.77.1.1:8090`,
    PC2_NETWORK_GATEWAY_URL: "http://10.77.1.1:8091",
    PC2_TLS_MODE: "files",
    PC2_TLS_CERT_FILE: leaf!.certFile,
    PC2_TLS_KEY_FILE: leaf!.keyFile,
  });
  nodeSetup = await inNs(NS.node, "setup", "https://127.0.0.1:4200", SETUP_CODE, owner.privateKey, "netns-alice");
}, 90_000);

afterAll(() => {
  for (const p of procs) p.kill("SIGTERM");
  if (canMakeNamespaces) for (const ns of Object.values(NS)) ip("netns", "del", ns);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  ca?.remove();
});

test.skipIf(!canMakeNamespaces)("the node gets a public port and a name though nothing can reach it", () => {
  expect(nodeSetup.publicEndpoint).toMatch(/^http:\/\/10\.77\.1\.1:250\d\d$/);
  expect(nodeSetup.registered).toEqual({ name: "netns-alice", url: "http://netns-alice.pc2.test:8091", httpsUrl: "https://netns-alice.pc2.test:8443" });
  // The client cannot reach the node's namespace at all.
  expect(spawnSync("ip", ["netns", "exec", NS.client, "bash", "-c", "exec 3<>/dev/tcp/10.77.1.2/4200"], { timeout: 5000 }).status).not.toBe(0);
});

test.skipIf(!canMakeNamespaces)(
  "from the client's namespace, only through the super node: sign-in, 100 MiB up and down identical, 50 concurrent; http://<name> is sent to https://<name>",
  async () => {
    const r = await inNs(NS.client, "client", nodeSetup.publicEndpoint, "http://10.77.1.1:8091", "netns-alice.pc2.test:8091", owner.privateKey);
    expect(r.info).toBe(nodeSetup.nodeId);
    expect(r.nameRedirect).toEqual({ status: 308, location: "https://netns-alice.pc2.test:8443/api/info?x=1" });
    expect(r.upload).toMatchObject({ status: 200, size: 100 * 1024 * 1024 });
    expect(r.download).toMatchObject({ status: 200, size: 100 * 1024 * 1024, identical: true });
    expect(r.concurrent).toBe(50);
    console.log(`netns: 100 MiB up ${r.upload.seconds.toFixed(1)} s, down ${r.download.seconds.toFixed(1)} s through the relay (at most 100 Mbit/s per node by default)`);
  },
  120_000,
);

test.skipIf(!canMakeNamespaces)(
  "https://<name> end to end: the node's own certificate, and the super node never reads the plaintext",
  async () => {
    // What the client's TLS stack sees at the super node's address for the name: the node's certificate.
    const handshake = spawnSync(
      "ip",
      ["netns", "exec", NS.client, "openssl", "s_client", "-connect", "10.77.1.1:8443", "-servername", "netns-alice.pc2.test", "-CAfile", ca!.caFile, "-verify_return_error"],
      {
        input: "",
        encoding: "utf8",
        timeout: 10_000,
      },
    );
    expect(handshake.stdout).toContain("New, TLSv1.3");
    const served = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(handshake.stdout)![0];
    expect(inspectCertificate(served).fingerprint).toBe(inspectCertificate(readFileSync(leaf!.certFile, "utf8")).fingerprint);
    // An unknown name gets a TLS alert, not someone else's node.
    const unknown = spawnSync("ip", ["netns", "exec", NS.client, "openssl", "s_client", "-connect", "10.77.1.1:8443", "-servername", "mallory.pc2.test"], {
      input: "",
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(unknown.stdout + unknown.stderr).toMatch(/unrecognized name|alert/i);

    // Everything the super node's process reads while the client works through https://<name>.
    const trace = join(dirs[0]!, "super.strace");
    const strace = spawn("strace", ["-f", "-p", String(superProc.pid), "-e", "trace=read,recvfrom,recvmsg,readv", "-s", "262144", "-xx", "-o", trace], { stdio: "ignore" });
    await Bun.sleep(1000); // attached
    const secret = `secret-${Math.random().toString(36).slice(2)}-file-body`;
    const control = `control-${Math.random().toString(36).slice(2)}`;
    const r = await inNs(NS.client, "tls-client", "10.77.1.1", "netns-alice.pc2.test", "8443", "8091", owner.privateKey, secret, control);
    await Bun.sleep(500);
    strace.kill("SIGINT");
    await new Promise((ok) => strace.once("exit", ok));

    expect(r.info).toBe(nodeSetup.nodeId);
    expect(r.siweUri).toBe("https://netns-alice.pc2.test:8443");
    expect(r.cookie).toMatch(/; Secure$/);
    expect(r.hsts).toBe("max-age=31536000");
    expect(r.upload).toBe(200);
    expect(r.readBack).toBe(true);
    expect(r.control).toBe(308);
    const seen = readFileSync(trace, "utf8");
    const hex = (text: string) => [...Buffer.from(text)].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join("");
    // The capture works: the marker sent in clear over plain HTTP is in what the super node read…
    expect(seen).toContain(hex(control));
    // …and nothing of the TLS session is: not the file, not the session token, not a path.
    expect(seen).not.toContain(hex(secret));
    expect(seen).not.toContain(hex(String(r.token)));
    expect(seen).not.toContain(hex("/api/auth/login"));
    expect(seen).not.toContain(hex("secret.txt"));
  },
  120_000,
);
