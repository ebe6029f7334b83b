import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { appFetcher, challenge, claimOwner, httpFetcher, json, newWallet, signIn, type Fetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

async function login(f: Fetcher, body: Record<string, unknown>) {
  const res = await f("/api/auth/login", json(body));
  return { status: res.status, body: await res.json(), headers: res.headers };
}

describe("claiming the node", () => {
  let t: TestNode;
  let f: Fetcher;
  beforeAll(async () => {
    t = await startTestNode();
    f = httpFetcher(t.url);
  });
  afterAll(() => t.stop());

  test("the node reports it is unclaimed, and nobody can sign in without the setup code", async () => {
    expect(await (await f("/api/auth/setup")).json()).toEqual({ claimed: false });
    const err = await signIn(f, newWallet()).catch((e) => e);
    expect(err.status).toBe(403);
    expect(err.body).toMatchObject({ code: "setup_code_required", message: "This node has no owner yet: enter the setup code shown when the node started" });
  });

  test("a wrong setup code is refused and audited", async () => {
    const err = await signIn(f, newWallet(), "AAAAA-BBBBB-CCCCC").catch((e) => e);
    expect(err.status).toBe(403);
    expect(err.body).toMatchObject({ code: "invalid_setup_code", message: "That setup code is not right" });
  });

  test("the first wallet with the right code becomes Owner; the code then dies", async () => {
    const owner = await claimOwner(f, t.started.setup.code!);
    expect(owner.role).toBe("owner");
    expect(await (await f("/api/auth/setup")).json()).toEqual({ claimed: true });
    const second = await signIn(f, newWallet(), t.started.setup.code!).catch((e) => e);
    expect(second.status).toBe(403);
    expect(second.body).toMatchObject({ code: "not_invited", message: "This wallet has not been invited to this node; ask its owner" });
    // The Owner signs in again later without any code.
    expect((await signIn(f, owner.wallet)).role).toBe("owner");
    const audit = await (await f("/api/audit?action=auth.node_claimed", { headers: owner.bearer })).json();
    expect(audit.entries[0]).toMatchObject({ action: "auth.node_claimed", actor: owner.address });
    const failures = await (await f("/api/audit?action=auth.setup_code_failed", { headers: owner.bearer })).json();
    expect(failures.entries.length).toBe(1);
  });
});

describe("setup code lockout", () => {
  test("10 wrong codes lock that client out of claiming, even with the right code; another client still can", async () => {
    const t = await startTestNode();
    try {
      const f = appFetcher(t.node.app, undefined, "203.0.113.7");
      for (let i = 0; i < 10; i++) {
        const err = await signIn(f, newWallet(), `WRONG-CODE-${i}`).catch((e) => e);
        expect(err.body).toMatchObject({ code: "invalid_setup_code", message: "That setup code is not right" });
      }
      const locked = await signIn(f, newWallet(), t.started.setup.code!).catch((e) => e);
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ code: "too_many_requests", message: "Too many wrong setup codes; try again later (restarting the node issues a new code)" });
      expect(locked.body.retryAfter).toBeGreaterThan(3000);
      expect(await (await f("/api/auth/setup")).json()).toEqual({ claimed: false });
      // The real owner, elsewhere, is not locked out by a stranger's guesses.
      expect((await signIn(appFetcher(t.node.app, undefined, "198.51.100.2"), newWallet(), t.started.setup.code!)).role).toBe("owner");
    } finally {
      await t.stop();
    }
  });
});

describe("login", () => {
  let t: TestNode;
  let f: Fetcher;
  let owner: SignedIn;
  beforeAll(async () => {
    t = await startTestNode();
    f = httpFetcher(t.url);
    owner = await claimOwner(f, t.started.setup.code!);
  });
  afterAll(() => t.stop());

  test("the challenge is an EIP-4361 message for this host, with a 128-bit single-use nonce", async () => {
    const wallet = newWallet();
    const c = await challenge(f, wallet.address.toLowerCase());
    const host = new URL(t.url).host;
    const lines = c.message.split("\n");
    expect(lines[0]).toBe(`${host} wants you to sign in with your Ethereum account:`);
    expect(lines[1]).toBe(wallet.address); // EIP-55 checksummed
    expect(c.message).toContain(`\nURI: http://${host}\n`);
    expect(c.message).toContain("\nVersion: 1\n");
    expect(c.message).toContain("\nChain ID: 1\n");
    expect(c.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(c.message).toContain(`\nNonce: ${c.nonce}\n`);
    const issued = Date.parse(/Issued At: (\S+)/.exec(c.message)![1]!);
    const expires = Date.parse(/Expiration Time: (\S+)/.exec(c.message)![1]!);
    expect(expires - issued).toBeLessThanOrEqual(10 * 60_000);
    expect(Date.parse(c.expiresAt)).toBe(expires);
  });

  test("happy path: session cookie (HttpOnly, SameSite=Strict, Path=/) and a token", async () => {
    const { message } = await challenge(f, owner.wallet.address);
    const res = await f("/api/auth/login", json({ message, signature: await owner.wallet.signMessage(message) }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.user).toEqual({ address: owner.address, role: "owner" });
    expect(body.token).toMatch(/^pc2s_[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toContain(`pc2_session=${body.token}`);
    for (const attr of ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=604800"]) expect(cookie).toContain(attr);
    expect(cookie).not.toContain("Secure"); // plain http on loopback; https adds Secure
    const who = await (await f("/whoami", { headers: { cookie: `pc2_session=${body.token}` } })).json();
    expect(who).toMatchObject({ username: owner.address, role: "owner", is_user_token: true });
    expect(Object.keys(who.directories).sort()).toEqual(["Desktop", "Documents", "Pictures", "Public", "Trash"].map((d) => `/${owner.address}/${d}`));
    for (const uid of Object.values(who.directories)) expect(uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("an earlier challenge still works after a later one (two tabs signing in at once)", async () => {
    const first = await challenge(f, owner.wallet.address);
    const second = await challenge(f, owner.wallet.address);
    expect((await login(f, { message: first.message, signature: await owner.wallet.signMessage(first.message) })).status).toBe(200);
    expect((await login(f, { message: second.message, signature: await owner.wallet.signMessage(second.message) })).status).toBe(200);
  });

  test("a replayed nonce fails", async () => {
    const { message } = await challenge(f, owner.wallet.address);
    const signature = await owner.wallet.signMessage(message);
    expect((await login(f, { message, signature })).status).toBe(200);
    const replay = await login(f, { message, signature });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ code: "invalid_nonce", message: "This sign-in request is unknown or was already used; start again" });
  });

  test("an expired message fails", async () => {
    const { message, nonce } = await challenge(f, owner.wallet.address);
    const db = new Database(join(t.dataDir, "pc2.db"));
    db.query("UPDATE auth_nonces SET expires_at = ? WHERE nonce = ?").run(Date.now() - 1000, nonce);
    db.close();
    const r = await login(f, { message, signature: await owner.wallet.signMessage(message) });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: "challenge_expired", message: "The sign-in request expired; start again" });
  });

  test("a message issued for another host fails (and its nonce is spent)", async () => {
    const other = appFetcher(t.node.app, "http://localhost:4200");
    const { message } = await challenge(other, owner.wallet.address);
    expect(message.startsWith("localhost:4200 wants you")).toBe(true);
    const r = await login(f, { message, signature: await owner.wallet.signMessage(message) });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: "domain_mismatch", message: expect.stringMatching(/^The message was issued for \S+, not \S+$/) });
  });

  test("a message whose domain was edited to match fails", async () => {
    const host = new URL(t.url).host;
    const other = appFetcher(t.node.app, "http://localhost:4200");
    const { message } = await challenge(other, owner.wallet.address);
    const edited = message.replace("localhost:4200", host);
    const r = await login(f, { message: edited, signature: await owner.wallet.signMessage(edited) });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: "message_mismatch", message: "The signed message is not the one this node issued" });
  });

  test("a signature by another key fails", async () => {
    const { message } = await challenge(f, owner.wallet.address);
    const r = await login(f, { message, signature: await newWallet().signMessage(message) });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: "invalid_signature", message: "The message was not signed by this wallet" });
  });

  test("a signature that is not one at all fails as such; a bad address or Host is refused before anything is issued", async () => {
    const { message } = await challenge(f, owner.wallet.address);
    const r = await login(f, { message, signature: `0x${"00".repeat(65)}` });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: "invalid_signature", message: "The signature is not valid" });
    const address = await f("/api/auth/challenge", json({ address: `0x${"zz".repeat(20)}` }));
    expect(address.status).toBe(400);
    const host = await f("/api/auth/challenge", { ...json({ address: owner.wallet.address }), headers: { "content-type": "application/json", host: "bad_host!" } });
    expect([400, 403, 421]).toContain(host.status);
  });

  test("a tampered message fails", async () => {
    const { message } = await challenge(f, owner.wallet.address);
    const tampered = message.replace("Chain ID: 1", "Chain ID: 137");
    const r = await login(f, { message: tampered, signature: await owner.wallet.signMessage(tampered) });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: "message_mismatch", message: "The signed message is not the one this node issued" });
  });

  test("the signed message of one wallet cannot log in another", async () => {
    const victim = owner.wallet;
    const attacker = newWallet();
    const { message } = await challenge(f, victim.address);
    const r = await login(f, { message, signature: await attacker.signMessage(message) });
    expect(r.body).toMatchObject({ code: "invalid_signature", message: "The message was not signed by this wallet" });
  });

  test("an uninvited wallet is refused", async () => {
    const err = await signIn(f, newWallet()).catch((e) => e);
    expect(err.status).toBe(403);
    expect(err.body).toMatchObject({ code: "not_invited", message: "This wallet has not been invited to this node; ask its owner" });
  });

  test("bad input gets 400 with the field named", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["/api/auth/challenge", {}, "invalid_request"],
      ["/api/auth/challenge", { address: "0x123" }, "invalid_request"],
      ["/api/auth/challenge", { address: "not an address at all, but forty-two chars" }, "invalid_request"],
      ["/api/auth/challenge", { address: owner.wallet.address, chainId: -1 }, "invalid_request"],
      ["/api/auth/login", { message: "x" }, "invalid_request"],
      ["/api/auth/login", { message: "x".repeat(5000), signature: "0x" + "0".repeat(130) }, "invalid_request"],
      ["/api/auth/login", { message: "hello", signature: "0xzz" }, "invalid_request"],
    ];
    for (const [path, body, code] of cases) {
      const res = await f(path, json(body));
      expect(res.status).toBe(400);
      expect((await res.json()).code).toBe(code);
    }
    const notJson = await f("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(notJson.status).toBe(400);
  });

  test("failures are in the audit log with their reason, never the signature", async () => {
    const audit = await (await f("/api/audit?action=auth.login_failed&limit=50", { headers: owner.bearer })).json();
    const reasons = audit.entries.map((e: { detail: { reason: string } }) => e.detail.reason);
    for (const r of ["invalid_nonce", "challenge_expired", "domain_mismatch", "message_mismatch", "invalid_signature", "not_invited"]) expect(reasons).toContain(r);
    expect(JSON.stringify(audit)).not.toMatch(/0x[0-9a-f]{130}/);
  });
});

describe("rate limits", () => {
  test("challenges per client and address: 429 with Retry-After; a stranger cannot lock the owner out", async () => {
    const t = await startTestNode();
    try {
      const attacker = appFetcher(t.node.app, undefined, "203.0.113.9");
      const owner = newWallet();
      const address = owner.address;
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await attacker("/api/auth/challenge", json({ address }))).status);
      expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
      expect(statuses[10]).toBe(429); // the 11th, exactly
      const res = await attacker("/api/auth/challenge", json({ address }));
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await res.json()).code).toBe("too_many_requests");
      // The same address from the owner's own client: unaffected, and the sign-in completes.
      const ownerClient = appFetcher(t.node.app, undefined, "198.51.100.20");
      expect((await signIn(ownerClient, owner, t.started.setup.code!)).role).toBe("owner");
      // Failed logins against the owner's address from the attacker do not spend the owner's budget either.
      for (let i = 0; i < 12; i++) {
        const { message } = await challenge(appFetcher(t.node.app, undefined, `203.0.113.${20 + i}`), address);
        await login(appFetcher(t.node.app, undefined, `203.0.113.${20 + i}`), { message, signature: "0x" + "1".repeat(130) });
      }
      expect((await signIn(ownerClient, owner)).role).toBe("owner");
      // An IPv6 client is one client across its /64.
      const v6 = (n: number) => appFetcher(t.node.app, undefined, `2001:db8:1:2::${n.toString(16)}`);
      const v6statuses: number[] = [];
      for (let i = 0; i < 31; i++) v6statuses.push((await v6(i)("/api/auth/challenge", json({ address: newWallet().address }))).status);
      expect(v6statuses.at(-1)).toBe(429);
    } finally {
      await t.stop();
    }
  });

  test("logins per IP: 429 with Retry-After", async () => {
    const t = await startTestNode();
    try {
      const f = appFetcher(t.node.app);
      const codes: number[] = [];
      for (let i = 0; i < 22; i++) codes.push((await login(f, { message: "nope", signature: "0x" + "1".repeat(130) })).status);
      expect(codes.slice(0, 20).every((c) => c === 401)).toBe(true);
      expect(codes.slice(20)).toEqual([429, 429]);
    } finally {
      await t.stop();
    }
  });
});
