// Every applicable attack from shared/reference/original-pc2.md §4.2 must fail here.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, json, signIn, type Fetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let f: Fetcher;
let owner: SignedIn;
let member: SignedIn;

beforeAll(async () => {
  t = await startTestNode();
  f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
  member = await addUser(f, owner, "member");
});
afterAll(() => t.stop());

describe("attacks that worked on the original PC2", () => {
  test("claiming or signing in by address alone (no signature) fails", async () => {
    for (const body of [{ address: owner.address }, { address: owner.address, chainId: 1 }, { walletAddress: owner.address, message: "{}", signature: "" }]) {
      const res = await f("/api/auth/login", json(body));
      expect(res.status).toBe(400);
      const payload = await res.json();
      expect(payload.token).toBeUndefined();
    }
    // The original's own routes do not exist here.
    for (const path of ["/auth/particle", "/api/access/claim-ownership"]) expect((await f(path, json({ address: owner.address }))).status).toBe(404);
  });

  test("forged tokens (token-<wallet>-x, mock-token, X-API-Key) get nothing", async () => {
    const forged = [`token-${owner.address}-x`, "mock-token", `mock-token-${owner.address}`, owner.address, "pc2s_" + "A".repeat(43), "pc2_" + "B".repeat(43)];
    for (const token of forged) {
      const res = await f("/whoami", { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
    }
    expect((await f("/whoami", { headers: { "x-api-key": owner.token } })).status).toBe(401);
  });

  test("a token in the query string or the Referer is ignored", async () => {
    expect((await f(`/whoami?auth_token=${owner.token}`)).status).toBe(401);
    expect((await f(`/whoami?token=${owner.token}`)).status).toBe(401);
    expect((await f("/whoami", { headers: { referer: `${t.url}/?auth_token=${owner.token}` } })).status).toBe(401);
  });

  test("the owner's address does not leak to anyone who asks", async () => {
    for (const path of ["/api/info", "/health", "/api/auth/setup"]) {
      expect(await (await f(path)).text()).not.toContain(owner.address.slice(2));
    }
    const asMember = await f("/api/users", { headers: member.bearer });
    expect(asMember.status).toBe(403);
    expect(await asMember.text()).not.toContain(owner.address.slice(2));
  });

  test("a second sign-in is a new session, not the same token handed back", async () => {
    const a = (await signIn(f, owner.wallet)).token;
    const b = (await signIn(f, owner.wallet)).token;
    expect(a).not.toBe(b);
    expect(a).not.toBe(owner.token);
  });

  test("members get no owner features", async () => {
    for (const [path, init] of [
      ["/api/users", json({ address: member.address, role: "admin" })],
      ["/api/audit", {}],
      ["/api/identity/phrase", {}],
    ] as [string, RequestInit][]) {
      const res = await f(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...member.bearer } });
      expect(res.status).toBe(403);
    }
  });

  test("tokens never appear in the node's logs", () => {
    const text = JSON.stringify(t.logs);
    for (const token of [owner.token, member.token]) expect(text).not.toContain(token);
  });
});
