// Wallet sign-in: issue an EIP-4361 challenge, verify the signed message, claim the node, open a session.
import { randomBytes } from "node:crypto";
import { transaction, type Database } from "../../db/database.ts";
import type { EventBus } from "../../events.ts";
import type { ErrorCode } from "../../error-codes.ts";
import { AppError, BadRequestError, ConflictError, ForbiddenError, RateLimitedError } from "../../errors.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { SetupService } from "../setup/setup.service.ts";
import type { ChallengeBody, LoginBody } from "./auth.schemas.ts";
import type { NoncesRepository } from "./nonces.repository.ts";
import type { Role } from "../../principal.ts";
import { clientKey, type RateLimiter } from "./rate-limiter.ts";
import type { ClientFacts, SessionsService } from "./sessions.service.ts";
import { buildSiweMessage, nonceOf } from "./siwe-message.ts";
import { checksummedAddress, isWalletAddress, signerOf } from "./wallet-signatures.ts";
import type { UsersRepository } from "./users.repository.ts";

/** How long a challenge may be signed and used: well under EIP-4361's 10 minutes. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
const STATEMENT = "Sign in to your PC2 node. This request does not cost anything or move any funds.";
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

export interface RequestFacts extends ClientFacts {
  /** The Host header the request arrived with; the message is bound to it. */
  host: string;
  protocol: "http:" | "https:";
}

/**
 * Every budget is a client's own (keyed by clientKey): knowing someone's address must not let a
 * stranger spend their sign-in budget and lock them out.
 */
export interface SignInLimits {
  challengePerClient: RateLimiter;
  /** Challenges one client asks for one address. */
  challengePerClientAddress: RateLimiter;
  loginPerClient: RateLimiter;
  loginPerClientAddress: RateLimiter;
  /** Wrong setup codes per client. */
  setupCodeFailuresPerClient: RateLimiter;
  /** Wrong setup codes node-wide: a high ceiling against guessing from many addresses. */
  setupCodeFailures: RateLimiter;
}

export class SignInService {
  constructor(
    private readonly db: Database,
    private readonly nonces: NoncesRepository,
    private readonly users: UsersRepository,
    private readonly setup: SetupService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly limits: SignInLimits,
    private readonly events: EventBus,
  ) {}

  challenge(input: ChallengeBody, req: RequestFacts): { message: string; nonce: string; expiresAt: string } {
    const raw = input.address;
    if (!isWalletAddress(raw)) throw new BadRequestError("address is not a valid Ethereum address", "invalid_address");
    const chainId = input.chainId ?? 1;
    const host = checkedHost(req.host);
    const address = checksummedAddress(raw.toLowerCase());
    const client = clientKey(req.ip);
    limit(this.limits.challengePerClient, client);
    limit(this.limits.challengePerClientAddress, `${client} ${address.toLowerCase()}`);

    const now = Date.now();
    const nonce = randomBytes(16).toString("hex"); // 128 bits
    const expires = now + CHALLENGE_TTL_MS;
    const message = buildSiweMessage({
      domain: host,
      address,
      statement: STATEMENT,
      uri: `${req.protocol}//${host}`,
      chainId,
      nonce,
      issuedAt: new Date(now),
      expirationTime: new Date(expires),
    });
    this.nonces.insert({ nonce, address: address.toLowerCase(), message, domain: host, issued_at: now, expires_at: expires });
    this.nonces.prune(now - CHALLENGE_TTL_MS);
    return { message, nonce, expiresAt: new Date(expires).toISOString() };
  }

  async login(input: LoginBody, req: RequestFacts): Promise<{ user: { address: string; role: Role }; token: string; sessionId: string }> {
    const { message, signature } = input;
    const setupCode = input.setupCode ?? undefined;
    const host = checkedHost(req.host);
    const client = clientKey(req.ip);
    limit(this.limits.loginPerClient, client);

    let address: string | null = null;
    const fail = (status: number, code: ErrorCode, text: string): never => {
      this.audit.record({ actor: address, action: "auth.login_failed", ip: req.ip, detail: { reason: code } });
      throw new AppError(status, code, text);
    };

    const nonce = nonceOf(message);
    // Used now, whatever happens next: a nonce gets exactly one try.
    const issued = nonce ? this.nonces.consume(nonce, Date.now()) : null;
    if (!issued) return fail(401, "invalid_nonce", "This sign-in request is unknown or was already used; start again");
    address = issued.address;
    limit(this.limits.loginPerClientAddress, `${client} ${address}`);
    if (message !== issued.message) return fail(401, "message_mismatch", "The signed message is not the one this node issued");
    if (Date.now() > issued.expires_at) return fail(401, "challenge_expired", "The sign-in request expired; start again");
    if (issued.domain !== host) return fail(401, "domain_mismatch", `The message was issued for ${issued.domain}, not ${host}`);

    let recovered: string;
    try {
      recovered = signerOf(message, signature).toLowerCase();
    } catch {
      return fail(401, "invalid_signature", "The signature is not valid");
    }
    if (recovered !== address) return fail(401, "invalid_signature", "The message was not signed by this wallet");

    const role = (await this.roleFor(address, setupCode, req, fail)) as Role;
    const session = this.sessions.create(address, req);
    this.audit.record({ actor: address, action: "auth.login", target: session.id, ip: req.ip, detail: { role } });
    this.events.emit("auth.signed_in", { address });
    this.limits.loginPerClientAddress.reset(`${client} ${address}`);
    return { user: { address, role }, token: session.token, sessionId: session.id };
  }

  /** An existing user's role; or, on an unclaimed node, the Owner role for whoever brings the setup code. */
  private async roleFor(address: string, setupCode: string | undefined, req: RequestFacts, fail: (s: number, c: ErrorCode, m: string) => never): Promise<Role> {
    const user = this.users.get(address);
    if (user) return user.role;
    if (this.setup.isClaimed()) return fail(403, "not_invited", "This wallet has not been invited to this node; ask its owner");
    if (!setupCode) return fail(403, "setup_code_required", "This node has no owner yet: enter the setup code shown when the node started");

    const client = clientKey(req.ip);
    const wait = Math.max(this.limits.setupCodeFailuresPerClient.retryAfter(client), this.limits.setupCodeFailures.retryAfter("setup"));
    if (wait > 0) {
      this.audit.record({ actor: address, action: "auth.login_failed", ip: req.ip, detail: { reason: "setup_locked" } });
      throw new RateLimitedError(wait, "Too many wrong setup codes; try again later (restarting the node issues a new code)");
    }
    if (!(await this.setup.verify(setupCode))) {
      this.limits.setupCodeFailuresPerClient.hit(client);
      this.limits.setupCodeFailures.hit("setup");
      this.audit.record({ actor: address, action: "auth.setup_code_failed", ip: req.ip });
      return fail(403, "invalid_setup_code", "That setup code is not right");
    }
    transaction(this.db, () => {
      if (!this.setup.claim(address)) throw new ConflictError("Someone else claimed this node a moment ago", "already_claimed");
      this.users.insert(address, "owner", null, Date.now());
    });
    this.audit.record({ actor: address, action: "auth.node_claimed", target: address, ip: req.ip });
    return "owner";
  }
}

function limit(limiter: RateLimiter, key: string): void {
  const wait = limiter.retryAfter(key);
  if (wait > 0) throw new RateLimitedError(wait);
  limiter.hit(key);
}

function checkedHost(host: string): string {
  if (!HOST.test(host)) throw new ForbiddenError("The Host header is missing or malformed", "invalid_host");
  return host.toLowerCase();
}
