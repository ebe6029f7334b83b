// Mode "acme": keeps the node's certificate from an ACME CA current. It certifies the configured
// names and the node's public name (once it has one), stores the key and chain in
// <data>/tls/acme/ (0600 key), renews when a third of the certificate's life is left (30 days of
// a 90-day certificate), tries again with a growing wait after a failure, and reports each step
// (waiting for a name, requesting, issued, failed with the CA's reason).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AcmeConfig } from "../../config.ts";
import { ensurePrivateDir, writeFileAtomic } from "../../fs/atomic-write.ts";
import type { Logger } from "../../log.ts";
import type { AcmeChallenges } from "../../tls/acme-challenges.ts";
import { createAccountKey, issueCertificate, trustDirectoryCa } from "../../tls/acme-issuer.ts";
import { certificateProblems, covers, inspectCertificate } from "../../tls/certificate.ts";
import type { KeyAndCertificate } from "../../tls/self-signed.ts";

export interface AcmeStatus {
  state: "waiting" | "requesting" | "issued" | "failed";
  directory: string;
  /** The names the certificate is (to be) for: the configured ones and the public name. */
  names: string[];
  /** The configured ones alone (Settings or tls.acme.names). */
  configured: string[];
  lastError: string | null;
  lastAttemptAt: string | null;
  /** When the next renewal check or retry runs. */
  nextCheckAt: string | null;
}

export interface AcmeCertificatesOptions {
  config: AcmeConfig;
  dir: string;
  challenges: AcmeChallenges;
  /** The node's public name (host name only), or null. */
  publicName: () => string | null;
  /** More names to certify when they can be: functions' own host names (after the configured and public ones, within MAX_NAMES). */
  extraNames?: () => string[];
  /** A new certificate to serve. */
  onCertificate: (pair: KeyAndCertificate) => void;
  log: Logger;
  now: () => Date;
}

/** Waits after consecutive failures; the last one repeats. */
const RETRY_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 6 * 60 * 60_000];
/** Even with nothing due, look again this often (names, clock). */
const MAX_SLEEP_MS = 12 * 60 * 60_000;
/** Names one certificate may carry (Let's Encrypt's limit). */
export const MAX_NAMES = 100;

export class AcmeCertificates {
  private state: AcmeStatus["state"] = "waiting";
  private lastError: string | null = null;
  private lastAttemptAt: Date | null = null;
  private nextCheckAt: Date | null = null;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private current: KeyAndCertificate | null = null;

  constructor(private readonly o: AcmeCertificatesOptions) {}

  /** The names wanted now: configured ones, the public name, then the extra ones, without repeats, at most MAX_NAMES. */
  names(): string[] {
    const publicName = this.o.publicName();
    const names = [...new Set([...this.o.config.names, ...(publicName ? [publicName.toLowerCase()] : []), ...(this.o.extraNames?.() ?? []).map((n) => n.toLowerCase())])];
    return names.slice(0, MAX_NAMES);
  }

  /** Load the stored certificate (when it still serves) and schedule the first check at once. */
  start(): KeyAndCertificate | null {
    trustDirectoryCa(this.o.config.caFile ? readFileSync(this.o.config.caFile, "utf8") : null);
    const certFile = join(this.o.dir, "cert.pem");
    const keyFile = join(this.o.dir, "key.pem");
    if (existsSync(certFile) && existsSync(keyFile)) {
      const stored = { certPem: readFileSync(certFile, "utf8"), keyPem: readFileSync(keyFile, "utf8") };
      if (certificateProblems(stored.certPem, { now: this.o.now(), keyPem: stored.keyPem, names: [], certLabel: "cert", keyLabel: "key" }).length === 0) {
        this.current = stored;
        this.state = "issued";
      }
    }
    this.schedule(0);
    return this.current;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Check now, or after `ms` (the names changed): renew if the certificate does not cover them. */
  recheck(ms = 0): void {
    const again = () => this.recheck(ms);
    // An order under way schedules its own next check when it ends: this one comes after it.
    if (this.running) return void this.running.then(again, again);
    this.schedule(ms);
  }

  status(): AcmeStatus {
    return {
      state: this.state,
      directory: this.o.config.directory,
      names: this.names(),
      configured: [...this.o.config.names],
      lastError: this.lastError,
      lastAttemptAt: this.lastAttemptAt?.toISOString() ?? null,
      nextCheckAt: this.nextCheckAt?.toISOString() ?? null,
    };
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(ms, MAX_SLEEP_MS));
    this.nextCheckAt = new Date(this.o.now().getTime() + wait);
    this.timer = setTimeout(() => void this.check(), wait);
    this.timer.unref?.();
  }

  /** How long until the current certificate is due for renewal (0: now). */
  private dueInMs(names: string[]): number {
    if (!this.current) return 0;
    const info = inspectCertificate(this.current.certPem);
    if (!names.every((n) => covers(info, n))) return 0;
    const life = info.notAfter.getTime() - info.notBefore.getTime();
    const renewAt = info.notAfter.getTime() - life / 3;
    return Math.max(0, renewAt - this.o.now().getTime());
  }

  private check(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<void> {
    const names = this.names();
    if (names.length === 0) {
      this.state = this.current ? "issued" : "waiting";
      this.nextCheckAt = null;
      return;
    }
    const due = this.dueInMs(names);
    if (due > 0) return this.schedule(due);
    this.state = "requesting";
    this.lastAttemptAt = this.o.now();
    this.o.log.info("asking the ACME CA for a certificate", { names, directory: this.o.config.directory });
    try {
      const pair = await issueCertificate({ directory: this.o.config.directory, email: this.o.config.email, accountKeyPem: await this.accountKey(), names, challenges: this.o.challenges });
      if (this.stopped) return;
      ensurePrivateDir(this.o.dir);
      writeFileAtomic(join(this.o.dir, "key.pem"), pair.keyPem, 0o600);
      writeFileAtomic(join(this.o.dir, "cert.pem"), pair.certPem, 0o644);
      this.current = pair;
      this.state = "issued";
      this.lastError = null;
      this.failures = 0;
      const info = inspectCertificate(pair.certPem);
      this.o.log.info("ACME certificate issued", { names, notAfter: info.notAfter.toISOString(), fingerprint: info.fingerprint });
      this.o.onCertificate(pair);
      this.schedule(this.dueInMs(names));
    } catch (err) {
      if (this.stopped) return;
      this.state = "failed";
      this.lastError = (err as Error).message;
      const wait = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)]!;
      this.failures++;
      this.o.log.warn("the ACME CA did not issue a certificate; trying again later", { names, reason: this.lastError, retryInSeconds: wait / 1000 });
      this.schedule(wait);
    }
  }

  /** The ACME account's key, made once and kept (the CA knows the account by it). */
  private async accountKey(): Promise<string> {
    const file = join(this.o.dir, "account.key");
    if (existsSync(file)) return readFileSync(file, "utf8");
    const pem = await createAccountKey();
    ensurePrivateDir(this.o.dir);
    writeFileAtomic(file, pem, 0o600);
    return pem;
  }
}
