// The auth layer's parts that need no database: the rate limiter at and past its window (and its
// sweep's bound under a flood of keys), client keys by address family, the exact shapes of session
// and token secrets, and the SIWE message's text. Split from auth-units.test.ts (the database parts).
import { describe, expect, test } from "bun:test";
import { clientKey } from "../../../server/net/client-key.ts";
import { RateLimiter } from "../../../server/services/auth/rate-limiter.ts";
import { secretKind } from "../../../server/services/auth/secret-tokens.ts";
import { buildSiweMessage, nonceOf } from "../../../server/services/auth/siwe-message.ts";

const T0 = Date.parse("2026-12-05T00:00:00Z");
describe("RateLimiter", () => {
  function limiter(limit = 3, windowMs = 1000) {
    let now = T0;
    const l = new RateLimiter(limit, windowMs, () => now);
    return { l, advance: (ms: number) => void (now += ms) };
  }

  test("N hits are allowed, the next waits until the oldest leaves the window; a hit exactly a window old has left", () => {
    const { l, advance } = limiter(3, 1000);
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter("k")).toBe(0);
      l.hit("k");
      advance(100);
    }
    // Oldest hit at T0, now T0+300: it leaves at T0+1000, 0.7 s from now → 1 s (rounded up).
    expect(l.retryAfter("k")).toBe(1);
    expect(l.retryAfter("other")).toBe(0);
    advance(700); // T0+1000: the first hit is exactly a window old
    expect(l.retryAfter("k")).toBe(0);
  });

  test("retryAfter is the seconds until a place frees, never 0 while full", () => {
    const { l, advance } = limiter(1, 10_000);
    l.hit("k");
    advance(1);
    expect(l.retryAfter("k")).toBe(10);
    advance(9_998);
    expect(l.retryAfter("k")).toBe(1);
  });

  test("reset forgets a key at once", () => {
    const { l } = limiter(1, 60_000);
    l.hit("k");
    l.hit("j");
    l.reset("k");
    expect(l.retryAfter("k")).toBe(0);
    expect(l.retryAfter("j")).toBeGreaterThan(0);
  });

  test("under a flood of distinct keys, keys whose hits have all expired are dropped (memory stays bounded)", () => {
    const { l, advance } = limiter(5, 1000);
    const hits = () => (l as unknown as { hits: Map<string, number[]> }).hits;
    l.hit("mixed");
    for (let i = 0; i < 49_999; i++) l.hit(`k${i}`);
    expect(hits().size).toBe(50_000);
    advance(999);
    l.hit("mixed"); // still 50,000 keys: no sweep
    l.hit("recent"); // 50,001: a sweep, but nothing has expired yet
    expect(hits().size).toBe(50_001);
    advance(1);
    l.hit("late"); // the flood is exactly a window old now: swept; "mixed" keeps its recent hit
    expect([...hits().keys()].sort()).toEqual(["late", "mixed", "recent"]);
    expect(hits().get("mixed")).toHaveLength(2);
  });

  test("the sweep starts above 50,000 keys, not at 50,000", () => {
    const { l, advance } = limiter(5, 1000);
    const hits = () => (l as unknown as { hits: Map<string, number[]> }).hits;
    for (let i = 0; i < 49_999; i++) l.hit(`k${i}`);
    advance(1000); // every one of them expired
    l.hit("50,000th");
    expect(hits().size).toBe(50_000);
    l.hit("50,001st");
    expect([...hits().keys()].sort()).toEqual(["50,000th", "50,001st"]);
  });
});

describe("client keys and secrets", () => {
  test("IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64, anything else unchanged", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("2001:db8:12:34:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:12:34::/64");
    expect(clientKey("2001:db8:12:34::1")).toBe(clientKey("2001:db8:12:34:ffff::9"));
    expect(clientKey("relay:peer-7")).toBe("relay:peer-7");
  });

  test("only the exact shape of a session or token secret is looked up", () => {
    const body = "A".repeat(43);
    expect(secretKind(`pc2s_${body}`)).toBe("session");
    expect(secretKind(`pc2_${body}`)).toBe("token");
    for (const bad of [`xpc2s_${body}`, `pc2s_${body}x`, `pc2s_${body.slice(1)}`, `pc2s_${"A".repeat(42)}!`, ` pc2_${body}`, `pc2_${body}\n`]) expect(secretKind(bad)).toBeNull();
  });

  test("the SIWE message is EIP-4361's text, line by line; its nonce is read back", () => {
    const message = buildSiweMessage({
      domain: "pc2.local:8080",
      address: "0x00000000000000000000000000000000000000A1",
      statement: "Sign in to PC2.",
      uri: "http://pc2.local:8080",
      chainId: 1,
      nonce: "abcdef0123456789",
      issuedAt: new Date(T0),
      expirationTime: new Date(T0 + 300_000),
    });
    expect(message).toBe(
      [
        "pc2.local:8080 wants you to sign in with your Ethereum account:",
        "0x00000000000000000000000000000000000000A1",
        "",
        "Sign in to PC2.",
        "",
        "URI: http://pc2.local:8080",
        "Version: 1",
        "Chain ID: 1",
        "Nonce: abcdef0123456789",
        "Issued At: 2026-12-05T00:00:00.000Z",
        "Expiration Time: 2026-12-05T00:05:00.000Z",
      ].join("\n"),
    );
    expect(nonceOf(message)).toBe("abcdef0123456789");
    expect(nonceOf(message.replace("Nonce: abcdef0123456789", "Nonce: ab"))).toBeNull();
  });
});
