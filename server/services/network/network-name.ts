// This node's public name (`<name>.<domain>`) at a name gateway: checks availability, registers and
// releases it with claims signed by the node key, and registers again whenever the node's public
// endpoint changes. The name is kept in settings; the gateway's answers come back as our errors.
import { AppError, fail } from "../../errors.ts";
import type { ErrorCode } from "../../error-codes.ts";
import type { Logger } from "../../log.ts";
import type { KeyPair } from "../../boson/keys.ts";
import { type ClaimAction, signClaim } from "../../gateway/name-claims.ts";
import { checkName } from "../../gateway/names.ts";
import type { SettingsRepository } from "../settings/settings.repository.ts";

const NAME_KEY = "network.name";
const URL_KEY = "network.name.url";
const HTTPS_URL_KEY = "network.name.httpsUrl";
const TIMEOUT_MS = 10_000;
/** The gateway's own refusals, passed on as they are; anything else is the gateway failing. */
const GATEWAY_CODES = new Set<string>([
  "invalid_name",
  "name_taken",
  "not_name_owner",
  "not_relayed",
  "invalid_claim",
  "claim_expired",
  "claim_replayed",
  "invalid_signature",
  "too_many_requests",
  "not_found",
]);

export interface PublicName {
  name: string;
  /** http://<name>.<domain>[:port], as the gateway gave it. */
  url: string;
  /** https://<name>.<domain>[:port] when the gateway passes TLS through to the node; null: it does not. */
  httpsUrl: string | null;
}

export class NetworkName {
  /** The last registration's failure, for the status page. */
  lastError: string | null = null;

  constructor(
    private readonly gatewayUrl: string | null,
    private readonly settings: SettingsRepository,
    private readonly keys: () => KeyPair,
    private readonly log: Logger,
  ) {}

  get configured(): boolean {
    return this.gatewayUrl !== null;
  }

  current(): PublicName | null {
    const name = this.settings.get(NAME_KEY);
    const url = this.settings.get(URL_KEY);
    return name && url ? { name, url, httpsUrl: this.settings.get(HTTPS_URL_KEY) ?? null } : null;
  }

  async available(raw: string): Promise<{ username: string; available: boolean }> {
    const name = this.valid(raw);
    const answer = await this.call("GET", `/api/available?username=${encodeURIComponent(name)}`);
    // The node's own name is available to it.
    return { username: name, available: answer.available === true || this.current()?.name === name };
  }

  async register(raw: string): Promise<PublicName> {
    const name = this.valid(raw);
    const answer = await this.claim("register", name);
    if (typeof answer.url !== "string" || !/^https?:\/\//.test(answer.url)) throw fail("gateway_unreachable", "The gateway's answer had no URL");
    const httpsUrl = typeof answer.httpsUrl === "string" && /^https:\/\//.test(answer.httpsUrl) ? answer.httpsUrl : null;
    const current = { name, url: answer.url, httpsUrl };
    this.settings.set(NAME_KEY, name);
    this.settings.set(URL_KEY, answer.url);
    if (httpsUrl) this.settings.set(HTTPS_URL_KEY, httpsUrl);
    else this.settings.delete(HTTPS_URL_KEY);
    this.lastError = null;
    this.log.info("public name registered", { name, url: answer.url, httpsUrl });
    return current;
  }

  async release(): Promise<void> {
    const current = this.current();
    if (!current) return;
    try {
      await this.claim("release", current.name);
    } catch (err) {
      // Already gone at the gateway: nothing left to release there.
      if (!(err instanceof AppError && err.code === "not_name_owner")) throw err;
    }
    this.settings.delete(NAME_KEY);
    this.settings.delete(URL_KEY);
    this.settings.delete(HTTPS_URL_KEY);
    this.log.info("public name released", { name: current.name });
  }

  /** The public endpoint changed: register the name again so the gateway knows the node is back. */
  async refresh(): Promise<void> {
    const current = this.current();
    if (!current || !this.configured) return;
    try {
      await this.register(current.name);
    } catch (err) {
      this.lastError = err instanceof AppError ? err.message : "the gateway did not answer";
      this.log.warn("could not register the public name again", { name: current.name, reason: this.lastError });
    }
  }

  private valid(raw: string): string {
    if (!this.configured) throw fail("no_gateway");
    const check = checkName(raw);
    if (!check.ok) throw fail("invalid_name", check.reason);
    return check.name;
  }

  private claim(action: ClaimAction, name: string): Promise<Record<string, unknown>> {
    return this.call("POST", `/api/${action}`, signClaim(this.keys(), action, name));
  }

  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(`${this.gatewayUrl}${path}`, {
        method,
        headers: body ? { "content-type": "application/json" } : {},
        body: body ? JSON.stringify(body) : undefined,
        redirect: "error",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw fail("gateway_unreachable", `The name gateway at ${this.gatewayUrl} did not answer`);
    }
    const answer = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (!answer || typeof answer !== "object") throw fail("gateway_unreachable", `The name gateway answered ${res.status} without JSON`);
    if (res.ok) return answer;
    // The gateway speaks our error family; only its own refusals are passed on.
    const code = (typeof answer.code === "string" && GATEWAY_CODES.has(answer.code) ? answer.code : "gateway_unreachable") as ErrorCode;
    throw fail(code, typeof answer.message === "string" ? `The gateway said: ${answer.message.slice(0, 300)}` : undefined);
  }
}
