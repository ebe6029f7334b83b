// Let's Encrypt's test CA on loopback: Debian's pebble (an RFC 8555 server) and its challenge test
// server as the DNS that pebble's validation uses (every name answers 127.0.0.1 unless a test says
// otherwise). pebble's own HTTPS listener gets a certificate from a TestCa, which a client trusts.
import type { Subprocess } from "bun";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { TestCa } from "./openssl-certs.ts";

export interface Pebble {
  directory: string;
  /** The CA a client must trust to talk to pebble's directory. */
  directoryCaFile: string;
  /** Point `host` at `address` in pebble's DNS (e.g. an address where nothing listens). */
  addA(host: string, address: string): Promise<void>;
  /** pebble's issuing root and intermediate (PEM), to verify what it issued. */
  chain(): Promise<{ root: string; intermediate: string }>;
  stop(): Promise<void>;
}

async function freePort(kind: "tcp" | "udp"): Promise<number> {
  if (kind === "udp") {
    const s = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0 });
    const port = s.port;
    s.close();
    return port;
  }
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** Start pebble validating HTTP-01 on `httpPort`; certificates live `validitySeconds`. */
export async function startPebble({ httpPort, validitySeconds = 90 * 86_400 }: { httpPort: number; validitySeconds?: number }): Promise<Pebble> {
  const ca = new TestCa();
  const leaf = ca.leaf(["localhost", "127.0.0.1"]);
  const [acmePort, mgmtPort, dnsPort, dnsMgmtPort] = [await freePort("tcp"), await freePort("tcp"), await freePort("udp"), await freePort("tcp")];
  const config = join(ca.dir.path, "pebble.json");
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: leaf.certFile,
        privateKey: leaf.keyFile,
        httpPort,
        tlsPort: await freePort("tcp"),
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
        certificateValidityPeriod: validitySeconds,
      },
    }),
  );
  const procs: Subprocess[] = [];
  const dns = Bun.spawn(
    [
      "pebble-challtestsrv",
      "-dns01",
      `127.0.0.1:${dnsPort}`,
      "-http01",
      "",
      "-https01",
      "",
      "-tlsalpn01",
      "",
      "-management",
      `127.0.0.1:${dnsMgmtPort}`,
      "-defaultIPv4",
      "127.0.0.1",
      "-defaultIPv6",
      "",
    ],
    {
      stdout: "ignore",
      stderr: "ignore",
    },
  );
  procs.push(dns);
  const pebble = Bun.spawn(["pebble", "-config", config, "-dnsserver", `127.0.0.1:${dnsPort}`], {
    env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0", PEBBLE_AUTHZREUSE: "0" },
    stdout: "pipe",
    stderr: "pipe",
  });
  procs.push(pebble);
  const ca_ = await Bun.file(ca.caFile).text();
  const directory = `https://127.0.0.1:${acmePort}/dir`;
  const stop = async () => {
    for (const p of procs) p.kill();
    await Promise.all(procs.map((p) => p.exited));
    ca.remove();
  };
  for (let i = 0; ; i++) {
    const ok = await fetch(directory, { tls: { ca: ca_ } } as RequestInit).then(
      (r) => r.ok,
      () => false,
    );
    const dnsUp = await fetch(`http://127.0.0.1:${dnsMgmtPort}/`).then(
      () => true,
      () => false,
    );
    if (ok && dnsUp) break;
    if (i > 100) {
      await stop();
      throw new Error(`pebble did not start: ${await new Response(pebble.stderr).text()}`);
    }
    await Bun.sleep(100);
  }
  const mgmt = (path: string) => fetch(`https://127.0.0.1:${mgmtPort}${path}`, { tls: { ca: ca_ } } as RequestInit).then((r) => r.text());
  return {
    directory,
    directoryCaFile: ca.caFile,
    async addA(host, address) {
      const r = await fetch(`http://127.0.0.1:${dnsMgmtPort}/add-a`, { method: "POST", body: JSON.stringify({ host, addresses: [address] }) });
      if (!r.ok) throw new Error(`add-a failed: ${r.status}`);
    },
    chain: async () => ({ root: await mgmt("/roots/0"), intermediate: await mgmt("/intermediates/0") }),
    stop,
  };
}

/**
 * What `openssl verify` says of `leafPem` for `hostname`, checked against pebble's root with its
 * intermediate, as a browser would ("leaf.pem: OK" when it holds). The PEM files are written into
 * `dir`; the root's path is returned for clients that must trust it too.
 */
export async function opensslVerdict(pebble: Pebble, dir: string, leafPem: string, hostname: string): Promise<{ verdict: string; rootFile: string }> {
  const { root, intermediate } = await pebble.chain();
  const [rootFile, intermediateFile, leafFile] = ["root.pem", "intermediate.pem", "leaf.pem"].map((name) => join(dir, name)) as [string, string, string];
  writeFileSync(rootFile, root);
  writeFileSync(intermediateFile, intermediate);
  writeFileSync(leafFile, leafPem);
  const run = Bun.spawnSync(["openssl", "verify", "-CAfile", rootFile, "-untrusted", intermediateFile, "-verify_hostname", hostname, leafFile]);
  const said = `${run.stdout.toString()}${run.stderr.toString()}`.trim();
  return { verdict: said.replaceAll(`${dir}/`, ""), rootFile };
}
