// SignInService on a real SQLite database with real signatures, below the routes (whose schemas
// refuse much of this first): the Host header the message is bound to, the address check, a
// challenge used at the last moment of its life, what a sign-in records and announces, the
// node-wide lock on wrong setup codes, and two wallets claiming an unclaimed node at once.
// (Mutation testing of the auth group found each of these reached only through routes, or not at all.)
import { afterEach, beforeEach, describe, expect, setSystemTime, test } from "bun:test";
import { Wallet } from "ethers";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, openDatabase } from "../../../server/db/database.ts";
import { migrate } from "../../../server/db/migrate.ts";
import { EventBus } from "../../../server/events.ts";
import { createLogger } from "../../../server/log.ts";
import { AuditRepository } from "../../../server/services/audit/audit.repository.ts";
import { AuditService } from "../../../server/services/audit/audit.service.ts";
import { NoncesRepository } from "../../../server/services/auth/nonces.repository.ts";
import { RateLimiter } from "../../../server/services/auth/rate-limiter.ts";
import { SessionsRepository } from "../../../server/services/auth/sessions.repository.ts";
import { SessionsService } from "../../../server/services/auth/sessions.service.ts";
import { CHALLENGE_TTL_MS, type RequestFacts, SignInService } from "../../../server/services/auth/sign-in.service.ts";
import { TokensRepository } from "../../../server/services/auth/tokens.repository.ts";
import { UsersRepository } from "../../../server/services/auth/users.repository.ts";
import { SetupRepository } from "../../../server/services/setup/setup.repository.ts";
import { SetupService } from "../../../server/services/setup/setup.service.ts";
import { refusalOf, refusalOfAsync } from "../../helpers/refusal.ts";

const T0 = Date.parse("2026-12-05T00:00:00Z");
const CODE = "correct-horse-battery";
const silent = createLogger({ level: "error", format: "json", sink: { write: () => undefined } });
const from = (ip: string, host = "pc2.local:4200"): RequestFacts => ({ ip, userAgent: null, host, protocol: "http:" });

let dir: string;
let db: Database;
let auditRepo: AuditRepository;
let users: UsersRepository;
let setup: SetupService;
let heard: unknown[];
let limits: ConstructorParameters<typeof SignInService>[6];
let service: SignInService;

beforeEach(async () => {
  setSystemTime(new Date(T0));
  dir = mkdtempSync(join(tmpdir(), "pc2-sign-in-"));
  db = openDatabase(join(dir, "pc2.db"));
  migrate(db);
  auditRepo = new AuditRepository(db);
  const audit = new AuditService(auditRepo);
  const events = new EventBus(silent);
  heard = [];
  events.on("auth.signed_in", (p) => void heard.push(p));
  users = new UsersRepository(db);
  const tokens = new TokensRepository(db);
  setup = new SetupService(new SetupRepository(db), CODE, silent);
  setup.start();
  await setup.ready();
  const sessions = new SessionsService(new SessionsRepository(db), tokens, audit, events, { maxAgeMs: 86_400_000, idleMs: 3_600_000 });
  limits = {
    challengePerClient: new RateLimiter(100, 60_000),
    challengePerClientAddress: new RateLimiter(3, 60_000),
    loginPerClient: new RateLimiter(100, 60_000),
    loginPerClientAddress: new RateLimiter(100, 60_000),
    setupCodeFailuresPerClient: new RateLimiter(5, 3_600_000),
    setupCodeFailures: new RateLimiter(2, 3_600_000),
  };
  service = new SignInService(db, new NoncesRepository(db), users, setup, sessions, audit, limits, events);
});
afterEach(() => {
  setSystemTime();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const audits = () => auditRepo.page(1, null, null).reverse();

type Signer = { address: string; signMessage(message: string): Promise<string> };

async function signIn(wallet: Signer, req: RequestFacts, setupCode?: string) {
  const { message } = service.challenge({ address: wallet.address }, req);
  return service.login({ message, signature: await wallet.signMessage(message), setupCode }, req);
}

describe("the Host header the message is bound to", () => {
  const address = Wallet.createRandom().address;
  test.each(["a", "pc2.local", "pc2.local:4200", "node-1.example.org:65535", "127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:4200", "[2001:db8::1]:443", "PC2.Local"])("%p is accepted", (host) => {
    const { message } = service.challenge({ address }, from("198.51.100.1", host));
    expect(message.startsWith(`${host.toLowerCase()} wants you to sign in with your Ethereum account:`)).toBe(true);
    expect(message).toContain(`URI: http://${host.toLowerCase()}\n`);
  });
  test.each(["", "a/b", "evil.example/x", "pc2.local:123456", "pc2.local:", "pc2.local:port", "-pc2.local", "pc2.local-", "a b", "[zz::1]", "[]", "[:]:80", "pc2.local\r\nX: y"])(
    "%p is refused",
    (host) => {
      expect(refusalOf(() => service.challenge({ address }, from("198.51.100.1", host)))).toEqual({
        status: 403,
        code: "invalid_host",
        message: "The Host header is missing or malformed",
      });
    },
  );
});

test("an address that is not one is refused, whatever the schema let through", () => {
  for (const address of ["0x123", "not an address", `0x${"g".repeat(40)}`, ""])
    expect(refusalOf(() => service.challenge({ address }, from("198.51.100.1")))).toEqual({ status: 400, code: "invalid_address", message: "address is not a valid Ethereum address" });
});

test("the challenge says what signing means, and its per-address budget is counted by the address in lower case", () => {
  const wallet = Wallet.createRandom();
  const { message } = service.challenge({ address: wallet.address.toLowerCase() }, from("198.51.100.7"));
  expect(message).toContain("\n\nSign in to your PC2 node. This request does not cost anything or move any funds.\n\n");
  expect(message).toContain(`\n${wallet.address}\n`); // the checksummed form in the text
  service.challenge({ address: wallet.address }, from("198.51.100.7"));
  service.challenge({ address: wallet.address.toUpperCase().replace("0X", "0x") }, from("198.51.100.7"));
  expect(limits.challengePerClientAddress.retryAfter(`198.51.100.7 ${wallet.address.toLowerCase()}`)).toBeGreaterThan(0);
  expect(refusalOf(() => service.challenge({ address: wallet.address }, from("198.51.100.7")))).toEqual({
    status: 429,
    code: "too_many_requests",
    message: "Too many requests; try again later",
    extra: { retryAfter: 60 },
  });
});

test("a challenge signed at the last millisecond of its life works; a millisecond later it has expired", async () => {
  const owner = Wallet.createRandom();
  users.insert(owner.address.toLowerCase(), "owner", null, T0);
  const req = from("198.51.100.2");
  const first = service.challenge({ address: owner.address }, req);
  const second = service.challenge({ address: owner.address }, req);
  setSystemTime(new Date(T0 + CHALLENGE_TTL_MS));
  expect((await service.login({ message: first.message, signature: await owner.signMessage(first.message) }, req)).user.role).toBe("owner");
  setSystemTime(new Date(T0 + CHALLENGE_TTL_MS + 1));
  expect(await refusalOfAsync(async () => service.login({ message: second.message, signature: await owner.signMessage(second.message) }, req))).toEqual({
    status: 401,
    code: "challenge_expired",
    message: "The sign-in request expired; start again",
  });
});

test("a sign-in is audited with the role and announced with the address", async () => {
  const member = Wallet.createRandom();
  const address = member.address.toLowerCase();
  users.insert(address, "member", null, T0);
  const { sessionId } = await signIn(member, from("198.51.100.3"));
  expect(audits().at(-1)).toMatchObject({ actor: address, action: "auth.login", target: sessionId, ip: "198.51.100.3", detail: JSON.stringify({ role: "member" }) });
  expect(heard).toEqual([{ address }]);
});

test("wrong setup codes from many clients lock the node-wide budget: then even the right code waits, and the lock is audited", async () => {
  // Two wrong codes, each from its own client (each client's own budget is far from spent).
  for (const ip of ["198.51.100.10", "198.51.100.11"])
    expect(await refusalOfAsync(() => signIn(Wallet.createRandom(), from(ip), "wrong-code"))).toEqual({ status: 403, code: "invalid_setup_code", message: "That setup code is not right" });
  const wallet = Wallet.createRandom();
  const locked = await refusalOfAsync(() => signIn(wallet, from("198.51.100.12"), CODE));
  expect(locked).toEqual({ status: 429, code: "too_many_requests", message: "Too many wrong setup codes; try again later (restarting the node issues a new code)", extra: { retryAfter: 3600 } });
  expect(audits().at(-1)).toMatchObject({ actor: wallet.address.toLowerCase(), action: "auth.login_failed", ip: "198.51.100.12", detail: JSON.stringify({ reason: "setup_locked" }) });
  expect(setup.isClaimed()).toBe(false);
  // An hour later the node-wide budget has room again.
  setSystemTime(new Date(T0 + 3_600_000));
  expect((await signIn(wallet, from("198.51.100.12"), CODE)).user.role).toBe("owner");
});

test("two wallets with the right code at once: one becomes the Owner, the other is told someone else claimed the node", async () => {
  const [a, b] = [Wallet.createRandom(), Wallet.createRandom()];
  const req = from("198.51.100.20");
  const messages = [service.challenge({ address: a.address }, req).message, service.challenge({ address: b.address }, req).message];
  const signatures = [await a.signMessage(messages[0]!), await b.signMessage(messages[1]!)];
  const outcomes = await Promise.all(
    [0, 1].map((i) =>
      service.login({ message: messages[i]!, signature: signatures[i]!, setupCode: CODE }, req).then(
        (r) => r.user.role,
        (err) => ({ status: err.status, code: err.code, message: err.message }),
      ),
    ),
  );
  // Which one wins is a race (each login's signature check may finish first): exactly one does.
  const winner = outcomes.indexOf("owner");
  expect(winner).toBeGreaterThanOrEqual(0);
  expect(outcomes[1 - winner]).toEqual({ status: 409, code: "already_claimed", message: "Someone else claimed this node a moment ago" });
  expect(users.list().map((u) => [u.address, u.role])).toEqual([[[a, b][winner]!.address.toLowerCase(), "owner"]]);
});
