// The name gateway's HTTP API, with the deployed gateway's contract (health, lookup, available,
// register) plus release; register and release take a claim signed by the node key. Answers are
// JSON; errors are { error, code, message }. Each client address has its own budgets.
import { AppError, errorResponse, fail } from "../errors.ts";
import { clientKey } from "../net/client-key.ts";
import { RateLimiter } from "../services/auth/rate-limiter.ts";
import { ClaimVerifier, type ClaimAction, type NameClaim } from "./name-claims.ts";
import type { NameEntry, NameRegistry } from "./name-registry.ts";
import { checkName } from "./names.ts";

export interface GatewayApiDeps {
  registry: NameRegistry;
  domain: string;
  /** The port browsers use for `<name>.<domain>` (omitted from URLs when 80); known once the gateway listens. */
  publicPort: () => number;
  /** The port for `https://<name>.<domain>`, passed through to the node (omitted when 443); null: none. */
  tlsPort?: () => number | null;
  /** The super node's public port for a node with a live Active Proxy session, or null. */
  relayPortOf: (nodeId: string) => number | null;
  /** Register and release claims one client address may send per minute (the deployed gateway: 5). */
  claimsPerMinute?: number;
  verifier?: ClaimVerifier;
  now?: () => number;
}

const MAX_BODY = 4096;

export class GatewayApi {
  private readonly now: () => number;
  private readonly started: number;
  private readonly verifier: ClaimVerifier;
  private readonly registerLimit: RateLimiter;
  private readonly apiLimit: RateLimiter;

  constructor(private readonly d: GatewayApiDeps) {
    const now = d.now ?? Date.now;
    this.now = now;
    this.started = now();
    this.verifier = d.verifier ?? new ClaimVerifier(now);
    this.registerLimit = new RateLimiter(d.claimsPerMinute ?? 5, 60_000, now);
    this.apiLimit = new RateLimiter(100, 60_000, now);
  }

  /** The public URL of a name. */
  urlOf(username: string): string {
    const port = this.d.publicPort();
    return `http://${username}.${this.d.domain}${port === 80 ? "" : `:${port}`}`;
  }

  /** The name's https:// URL, when the gateway passes TLS through (the node must hold a certificate for it). */
  httpsUrlOf(username: string): string | null {
    const port = this.d.tlsPort?.() ?? null;
    return port === null ? null : `https://${username}.${this.d.domain}${port === 443 ? "" : `:${port}`}`;
  }

  async handle(req: Request, clientIp: string): Promise<Response> {
    try {
      return await this.route(req, clientKey(clientIp));
    } catch (err) {
      if (err instanceof AppError) return errorResponse(err);
      throw err;
    }
  }

  private async route(req: Request, client: string): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname;
    this.charge(this.apiLimit, client);
    if (req.method === "GET" && path === "/api/health") return json({ status: "ok", uptime: Math.floor((this.now() - this.started) / 1000), names: this.d.registry.count() });
    if (req.method === "GET" && path.startsWith("/api/lookup/")) return this.lookup(decodeURIComponent(path.slice("/api/lookup/".length)));
    if (req.method === "GET" && path === "/api/available") return this.available(url.searchParams.get("username") ?? "");
    if (req.method === "POST" && (path === "/api/register" || path === "/api/release")) {
      this.charge(this.registerLimit, client);
      const claim = await readClaim(req);
      return path === "/api/register" ? this.register(claim) : this.release(claim);
    }
    throw fail("not_found", `No ${req.method} ${path} on this gateway`);
  }

  private charge(limiter: RateLimiter, client: string): void {
    const wait = limiter.retryAfter(client);
    if (wait > 0) {
      const err = fail("too_many_requests", `Too many requests; try again in ${wait} s`);
      err.headers["retry-after"] = String(wait);
      throw err;
    }
    limiter.hit(client);
  }

  private describe(e: NameEntry) {
    const port = this.d.relayPortOf(e.nodeId);
    return {
      username: e.username,
      nodeId: e.nodeId,
      endpoint: port ? `http://${this.d.domain}:${port}` : null,
      url: this.urlOf(e.username),
      httpsUrl: this.httpsUrlOf(e.username),
      online: port !== null,
      registered: new Date(e.registeredAt).toISOString(),
    };
  }

  private lookup(raw: string): Response {
    const name = validName(raw);
    const e = this.d.registry.byName(name);
    if (!e) throw fail("not_found", `No node has the name '${name}'`);
    return json(this.describe(e));
  }

  private available(raw: string): Response {
    const name = validName(raw);
    return json({ username: name, available: this.d.registry.byName(name) === null });
  }

  private verified(claim: NameClaim, action: ClaimAction): string {
    const check = this.verifier.verify(claim, action);
    if (!check.ok) throw fail(check.code, `The name claim is refused: ${check.reason}`);
    return check.nodeId.toString();
  }

  private register(claim: NameClaim): Response {
    const name = validName(claim.username);
    if (name !== claim.username) throw fail("invalid_claim", "The claim must carry the name in lowercase, as signed");
    const nodeId = this.verified(claim, "register");
    if (this.d.relayPortOf(nodeId) === null) throw fail("not_relayed");
    const out = this.d.registry.register(name, nodeId, this.now());
    if (!out.ok) throw fail("name_taken", `'${name}' belongs to another node`);
    return json({ success: true, ...this.describe(out.entry), replaced: out.replaced });
  }

  private release(claim: NameClaim): Response {
    const name = validName(claim.username);
    const nodeId = this.verified(claim, "release");
    if (!this.d.registry.release(name, nodeId)) throw fail("not_name_owner", `This node does not hold '${name}'`);
    return json({ success: true, username: name });
  }
}

function validName(raw: string): string {
  const check = checkName(raw);
  if (!check.ok) throw fail("invalid_name", check.reason);
  return check.name;
}

async function readClaim(req: Request): Promise<NameClaim> {
  if (!(req.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) throw fail("unsupported_media_type", "Send the claim as application/json");
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY) throw fail("payload_too_large", `A claim is at most ${MAX_BODY} bytes`);
  const text = await req.text();
  if (text.length > MAX_BODY) throw fail("payload_too_large", `A claim is at most ${MAX_BODY} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw fail("invalid_json");
  }
  const b = body as Record<string, unknown>;
  const fields: [keyof NameClaim, string][] = [
    ["action", "string"],
    ["username", "string"],
    ["nodeId", "string"],
    ["timestamp", "number"],
    ["nonce", "string"],
    ["signature", "string"],
  ];
  if (!b || typeof b !== "object" || Array.isArray(b)) throw fail("invalid_claim", "The claim is a JSON object");
  for (const [k, type] of fields) if (typeof b[k] !== type) throw fail("invalid_claim", `'${k}' is missing or not a ${type}`);
  return { action: b.action as ClaimAction, username: b.username as string, nodeId: b.nodeId as string, timestamp: b.timestamp as number, nonce: b.nonce as string, signature: b.signature as string };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });
}
