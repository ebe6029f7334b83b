// The node's certificate: none (TLS off, loopback only), its own self-signed one for the LAN, or
// the Owner's files (checked at start with one clear line per problem, reloaded when they change).
// It says what the listener needs (key, certificate, oldest TLS version) and what Settings shows
// (fingerprint, names, validity, whether HSTS is sent).
import { constants } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { TLSOptions } from "bun";
import { type AcmeConfig, ConfigError, type TlsConfig } from "../../config.ts";
import { fail } from "../../errors.ts";
import type { SettingsRepository } from "../settings/settings.repository.ts";
import type { EventBus } from "../../events.ts";
import type { Logger } from "../../log.ts";
import { certificateProblems, type CertificateInfo, covers, inspectCertificate } from "../../tls/certificate.ts";
import { ensureSelfSigned, type KeyAndCertificate } from "../../tls/self-signed.ts";
import type { AcmeChallenges } from "../../tls/acme-challenges.ts";
import { AcmeCertificates, type AcmeStatus } from "./acme-certificates.ts";

/** What the Owner may choose in Settings: a certificate the node makes or gets itself. */
export interface TlsChoice {
  mode: "self-signed" | "acme";
  /** ACME: names to certify besides the public name. */
  names?: string[];
  email?: string | null;
}

const CHOICE_KEY = "tls.choice";
const CHOOSABLE: readonly TlsConfig["mode"][] = ["self-signed", "acme"];

export interface TlsStatus {
  mode: TlsConfig["mode"];
  /** Where the mode comes from: the operator's configuration, or the Owner's choice in Settings. */
  chosenIn: "config" | "settings";
  /** Whether Settings may change the mode (not with TLS off or the operator's own files). */
  choosable: boolean;
  minVersion: TlsConfig["minVersion"];
  /** The certificate served (null with TLS off). */
  certificate: (Omit<CertificateInfo, "notBefore" | "notAfter"> & { notBefore: string; notAfter: string }) | null;
  /** Strict-Transport-Security is sent: only with a certificate browsers trust, never a self-signed one. */
  hsts: boolean;
  /** Why the last reload of the files failed (the previous certificate is still served); null when it did not. */
  lastError: string | null;
  loadedAt: string | null;
  /** Mode "acme": where the certificate from the CA stands. */
  acme: AcmeStatus | null;
}

export interface TlsServiceOptions {
  config: TlsConfig;
  dataDir: string;
  /** The names the self-signed certificate is made for: the machine's names and addresses, and `extra`. */
  selfSignedNames: (extra: readonly string[]) => string[];
  /** Where the Owner's choice made in Settings is kept (modes self-signed and acme only). */
  settings: SettingsRepository;
  /** The names the Owner's certificate must cover: the ones they configured (PC2_HOST_NAMES). */
  requiredNames: readonly string[];
  nodeName: string;
  events: EventBus;
  log: Logger;
  /** Open HTTP-01 challenges, answered on the node's plain-HTTP listeners. */
  challenges: AcmeChallenges;
  /** Functions' own host names (<subdomain>.<functions domain>): an ACME certificate covers them too. */
  functionHosts?: () => string[];
  /** How long a new function host name waits before the certificate is asked for (several at once make one order). */
  hostsSettleMs?: number;
  /** How often the Owner's files are checked for a change. */
  pollMs?: number;
  now?: () => Date;
}

/** TLS 1.3 only unless 1.2 is allowed; never anything older. */
function secureOptionsFor(minVersion: TlsConfig["minVersion"]): number {
  const old = constants.SSL_OP_NO_TLSv1 | constants.SSL_OP_NO_TLSv1_1;
  return minVersion === "1.3" ? old | constants.SSL_OP_NO_TLSv1_2 : old;
}

export class TlsService {
  private current: (KeyAndCertificate & { info: CertificateInfo }) | null = null;
  private lastError: string | null = null;
  private loadedAt: Date | null = null;
  private poll: ReturnType<typeof setInterval> | null = null;
  private fileStamp = "";
  private readonly now: () => Date;
  private acme: AcmeCertificates | null = null;
  /** The public name's host, as the network last reported it (ACME certifies it). */
  private publicName: string | null = null;

  /** The mode and ACME settings in force: the configuration's, or the Owner's choice. */
  private mode: TlsConfig["mode"];
  private acmeConfig: AcmeConfig;

  constructor(private readonly o: TlsServiceOptions) {
    this.now = o.now ?? (() => new Date());
    this.mode = o.config.mode;
    this.acmeConfig = o.config.acme;
    const choice = this.storedChoice();
    if (choice && this.choosable) {
      this.mode = choice.mode;
      this.acmeConfig = { ...o.config.acme, names: choice.names ?? [], email: choice.email ?? null };
    }
  }

  get challenges(): AcmeChallenges {
    return this.o.challenges;
  }

  get enabled(): boolean {
    return this.mode !== "off";
  }

  /** Settings may choose between the node's own certificates; TLS off and the operator's files are the operator's. */
  get choosable(): boolean {
    return CHOOSABLE.includes(this.o.config.mode);
  }

  /** The ACME names in force (the self-signed stand-in covers them too; the node answers to them). */
  get acmeNames(): string[] {
    return this.mode === "acme" ? [...this.acmeConfig.names] : [];
  }

  private storedChoice(): TlsChoice | null {
    const raw = this.o.settings.get(CHOICE_KEY);
    if (!raw) return null;
    try {
      const c = JSON.parse(raw) as TlsChoice;
      return CHOOSABLE.includes(c.mode) ? c : null;
    } catch {
      return null;
    }
  }

  async start(): Promise<void> {
    if (this.mode === "self-signed" || this.mode === "acme") await this.useSelfSigned();
    this.o.events.on("network.status", (s) => {
      const host = s.publicName.url ? new URL(s.publicName.url).hostname : null;
      if (host === this.publicName) return;
      this.publicName = host;
      this.acme?.recheck();
    });
    this.o.events.on("functions.hosts", () => this.acme?.recheck(this.o.hostsSettleMs ?? 5_000));
    if (this.mode === "acme") this.startAcme();
    else if (this.mode === "files") {
      const problems = this.readFiles();
      if (problems.length) throw new ConfigError(problems);
      this.poll = setInterval(() => this.checkFiles(), this.o.pollMs ?? 5_000);
      this.poll.unref?.();
    }
  }

  /**
   * The Owner's choice from Settings, applied at once: the new certificate (the self-signed one, and
   * the CA's when it comes) is served to new connections; open ones finish on the old.
   */
  async choose(choice: TlsChoice): Promise<TlsStatus> {
    if (!this.choosable) throw fail("tls_not_choosable");
    const names = [...new Set((choice.names ?? []).map((n) => n.toLowerCase()))];
    this.o.settings.set(CHOICE_KEY, JSON.stringify({ mode: choice.mode, names, email: choice.email ?? null }));
    this.acme?.stop();
    this.acme = null;
    this.mode = choice.mode;
    this.acmeConfig = { ...this.o.config.acme, names, email: choice.email ?? null };
    this.o.events.emit("tls.names", { names: this.acmeNames });
    const before = this.current?.info.fingerprint;
    await this.useSelfSigned();
    if (this.mode === "acme") this.startAcme();
    if (this.current && this.current.info.fingerprint !== before) this.o.events.emit("tls.changed", { fingerprint: this.current.info.fingerprint });
    this.o.log.info("TLS mode chosen in Settings", { mode: this.mode, names });
    return this.status();
  }

  private async useSelfSigned(): Promise<void> {
    // With ACME, the self-signed certificate serves until the CA's arrives (and if it never does).
    const made = await ensureSelfSigned(join(this.o.dataDir, "tls", "self-signed"), this.o.selfSignedNames(this.acmeNames), this.o.nodeName, this.now());
    this.use(made);
    if (made.made) this.o.log.info("made a self-signed certificate", { fingerprint: this.current!.info.fingerprint, names: this.current!.info.names });
  }

  private startAcme(): void {
    this.acme = new AcmeCertificates({
      config: this.acmeConfig,
      dir: join(this.o.dataDir, "tls", "acme"),
      challenges: this.o.challenges,
      publicName: () => this.publicName,
      extraNames: this.o.functionHosts,
      onCertificate: (pair) => {
        this.use(pair);
        this.o.events.emit("tls.changed", { fingerprint: this.current!.info.fingerprint });
      },
      log: this.o.log,
      now: this.now,
    });
    const stored = this.acme.start();
    if (stored) this.use(stored);
  }

  stop(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    this.acme?.stop();
  }

  /** What Bun's listener needs; null with TLS off. */
  serverOptions(): TLSOptions | null {
    if (!this.current) return null;
    return { key: this.current.keyPem, cert: this.current.certPem, secureOptions: secureOptionsFor(this.o.config.minVersion) };
  }

  status(): TlsStatus {
    const info = this.current?.info ?? null;
    return {
      mode: this.mode,
      chosenIn: this.storedChoice() && this.choosable ? "settings" : "config",
      choosable: this.choosable,
      minVersion: this.o.config.minVersion,
      certificate: info ? { ...info, notBefore: info.notBefore.toISOString(), notAfter: info.notAfter.toISOString() } : null,
      hsts: this.sendsHsts(),
      lastError: this.lastError,
      loadedAt: this.loadedAt?.toISOString() ?? null,
      acme: this.acme?.status() ?? null,
    };
  }

  /** Does the certificate served now cover `name`? */
  covers(name: string): boolean {
    return this.current !== null && covers(this.current.info, name);
  }

  sendsHsts(): boolean {
    return this.current !== null && !this.current.info.selfSigned;
  }

  private use(pair: KeyAndCertificate): void {
    this.current = { certPem: pair.certPem, keyPem: pair.keyPem, info: inspectCertificate(pair.certPem) };
    this.loadedAt = this.now();
  }

  /** A change in either file (contents replaced, renamed over, touched). */
  private stamp(): string {
    const { certFile, keyFile } = this.o.config;
    return [certFile!, keyFile!]
      .map((f) => {
        try {
          const s = statSync(f);
          return `${s.ino}:${s.size}:${s.mtimeMs}`;
        } catch {
          return "missing";
        }
      })
      .join("|");
  }

  /** Read and check the Owner's files; use them when they are good. Returns the problems. */
  private readFiles(): string[] {
    const { certFile, keyFile } = this.o.config;
    this.fileStamp = this.stamp();
    let certPem: string;
    let keyPem: string;
    try {
      certPem = readFileSync(certFile!, "utf8");
    } catch (err) {
      return [`PC2_TLS_CERT_FILE: cannot read ${certFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`];
    }
    try {
      keyPem = readFileSync(keyFile!, "utf8");
    } catch (err) {
      return [`PC2_TLS_KEY_FILE: cannot read ${keyFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`];
    }
    const problems = certificateProblems(certPem, { now: this.now(), keyPem, names: [...this.o.requiredNames], certLabel: `the certificate in ${certFile}`, keyLabel: `the key in ${keyFile}` });
    if (problems.length === 0) this.use({ certPem, keyPem });
    return problems;
  }

  private checkFiles(): void {
    if (this.stamp() === this.fileStamp) return;
    const problems = this.readFiles();
    if (problems.length) {
      // A half-copied pair (the certificate replaced, the key not yet) lands here too: the next change is read again.
      this.lastError = problems.join("; ");
      this.o.log.warn("the new certificate files cannot be used; still serving the previous certificate", { problems });
      return;
    }
    this.lastError = null;
    this.o.log.info("certificate files changed; serving the new certificate", { fingerprint: this.current!.info.fingerprint, notAfter: this.current!.info.notAfter.toISOString() });
    this.o.events.emit("tls.changed", { fingerprint: this.current!.info.fingerprint });
  }
}
