// Certificates made by Debian's openssl, as a user's own would be: a test CA, leaf certificates it
// signs for given names and dates (expired ones too, through `openssl ca -startdate/-enddate`), and
// what openssl itself reads back from a certificate or a live TLS endpoint.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "./temp-dir.ts";

const CA_CONFIG = `[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
`;

function run(cmd: string[], cwd: string, stdin?: string): string {
  const r = Bun.spawnSync(cmd, { cwd, stdin: stdin === undefined ? "ignore" : Buffer.from(stdin), stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${r.exitCode}): ${r.stderr.toString()}`);
  return r.stdout.toString();
}

const sanOf = (names: string[]) => names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;

export interface Leaf {
  certFile: string;
  keyFile: string;
}

export class TestCa {
  readonly dir = makeTempDir();
  readonly caFile: string;
  private n = 0;

  constructor() {
    const d = this.dir.path;
    writeFileSync(join(d, "ca.cnf"), CA_CONFIG);
    writeFileSync(join(d, "index.txt"), "");
    writeFileSync(join(d, "serial"), "1000\n");
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/CN=PC2 Test CA"], d);
    this.caFile = join(d, "ca.pem");
  }

  /** A key and a certificate signed by this CA for `names`, valid from `from` to `to`. */
  leaf(names: string[], { from = new Date(Date.now() - 3_600_000), to = new Date(Date.now() + 30 * 86_400_000) }: { from?: Date; to?: Date } = {}): Leaf {
    const d = this.dir.path;
    const id = `leaf${++this.n}`;
    run(
      [
        "openssl",
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        `${id}.key`,
        "-out",
        `${id}.csr`,
        "-subj",
        `/CN=${names[0]}`,
        "-addext",
        `subjectAltName=${sanOf(names)}`,
      ],
      d,
    );
    run(
      ["openssl", "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", `${id}.csr`, "-out", `${id}.pem`, "-startdate", stamp(from), "-enddate", stamp(to), "-notext"],
      d,
    );
    return { certFile: join(d, `${id}.pem`), keyFile: join(d, `${id}.key`) };
  }

  remove(): void {
    this.dir.remove();
  }
}

/** openssl's own view of a PEM certificate: SHA-256 fingerprint and subjectAltName entries. */
export function opensslReads(certPem: string): { fingerprint: string; names: string[]; text: string } {
  const cwd = "/tmp";
  const fingerprint = /=([0-9A-F:]+)/.exec(run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"], cwd, certPem))![1]!;
  const san = run(["openssl", "x509", "-noout", "-ext", "subjectAltName"], cwd, certPem);
  const names = (san.split("\n")[1] ?? "")
    .split(",")
    .map((s) =>
      s
        .trim()
        .replace(/^(DNS|IP Address):/, "")
        .toLowerCase(),
    )
    .filter(Boolean);
  return { fingerprint, names, text: run(["openssl", "x509", "-noout", "-text"], cwd, certPem) };
}

export interface Handshake {
  ok: boolean;
  /** "TLSv1.3" when a session was made. */
  protocol: string | null;
  /** The certificate the server sent (PEM), when it sent one. */
  certPem: string | null;
  output: string;
}

/** `openssl s_client` against host:port, optionally forcing a version (-tls1_2, -tls1_3) and a server name. */
export async function sClient(host: string, port: number, opts: { version?: "-tls1_2" | "-tls1_3" | "-tls1_1"; serverName?: string; caFile?: string } = {}): Promise<Handshake> {
  const args = ["openssl", "s_client", "-connect", `${host}:${port}`, "-showcerts"];
  if (opts.version) args.push(opts.version);
  if (opts.serverName) args.push("-servername", opts.serverName);
  if (opts.caFile) args.push("-CAfile", opts.caFile, "-verify_return_error");
  const proc = Bun.spawn(args, { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  proc.stdin.end();
  const timer = setTimeout(() => proc.kill(), 10_000);
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  clearTimeout(timer);
  const output = out + err;
  const protocol = /New, (TLSv[\d.]+), Cipher is (?!\(NONE\))/.exec(output)?.[1] ?? null;
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(output)?.[0] ?? null;
  return { ok: protocol !== null, protocol, certPem, output };
}
