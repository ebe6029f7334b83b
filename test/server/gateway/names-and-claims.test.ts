// Public names: the rules (as the deployed gateway has them) and the signed claims that register
// or release one — forged, altered, replayed or stale claims are refused.
import { describe, expect, test } from "bun:test";
import { KeyPair } from "../../../server/boson/keys.ts";
import { CLAIM_SKEW_S, ClaimVerifier, signClaim } from "../../../server/gateway/name-claims.ts";
import { checkName, nameFromHost } from "../../../server/gateway/names.ts";

describe("name rules", () => {
  test("3 to 30 characters, lowercased, a letter or digit first", () => {
    expect(checkName("abc")).toEqual({ ok: true, name: "abc" });
    expect(checkName("a".repeat(30))).toEqual({ ok: true, name: "a".repeat(30) });
    expect(checkName("  Alice_Home-2 ")).toEqual({ ok: true, name: "alice_home-2" });
    for (const bad of ["ab", "a".repeat(31), "-abc", "_abc", "al ice", "alice.example", "élise", "abc/", ""]) expect(checkName(bad).ok).toBe(false);
  });

  test("the gateway's own names are reserved", () => {
    for (const r of ["admin", "api", "www", "mail", "ftp", "localhost", "root", "system", "WWW"]) expect(checkName(r)).toMatchObject({ ok: false, reason: expect.stringContaining("reserved") });
  });

  test("a Host names a node only directly under the domain", () => {
    expect(nameFromHost("alice.pc2.test", "pc2.test")).toBe("alice");
    expect(nameFromHost("ALICE.PC2.test:8091", "pc2.test")).toBe("alice");
    expect(nameFromHost("alice.pc2.test.", "pc2.test")).toBe("alice");
    for (const h of ["pc2.test", "a.b.pc2.test", "alice.pc2.test.evil", "alicepc2.test", "x.pc2.test", "127.0.0.1:8091"]) expect(nameFromHost(h, "pc2.test")).toBeNull();
  });
});

describe("signed claims", () => {
  const keys = KeyPair.random();
  const other = KeyPair.random();
  const now = 1_800_000_000_000;

  test("a claim signed by the node's key is accepted once; the same claim again is a replay", () => {
    const v = new ClaimVerifier(() => now);
    const claim = signClaim(keys, "register", "alice", now);
    expect(v.verify(claim, "register")).toMatchObject({ ok: true });
    expect(v.verify(claim, "register")).toMatchObject({ ok: false, code: "claim_replayed" });
    // A fresh nonce makes a new claim.
    expect(v.verify(signClaim(keys, "register", "alice", now), "register")).toMatchObject({ ok: true });
  });

  test("a claim for another node's ID, or with any field changed after signing, is refused", () => {
    const v = new ClaimVerifier(() => now);
    const claim = signClaim(keys, "register", "alice", now);
    expect(v.verify({ ...claim, nodeId: other.id.toString() }, "register")).toMatchObject({ ok: false, code: "invalid_signature" });
    expect(v.verify({ ...claim, username: "alicf" }, "register")).toMatchObject({ ok: false, code: "invalid_signature" });
    expect(v.verify({ ...claim, timestamp: claim.timestamp + 1 }, "register")).toMatchObject({ ok: false, code: "invalid_signature" });
    expect(v.verify({ ...claim, nonce: "0".repeat(32) }, "register")).toMatchObject({ ok: false, code: "invalid_signature" });
    const flipped = claim.signature.slice(0, -1) + (claim.signature.endsWith("0") ? "1" : "0");
    expect(v.verify({ ...claim, signature: flipped }, "register")).toMatchObject({ ok: false, code: "invalid_signature" });
  });

  test("a register claim cannot be used to release, nor the other way round", () => {
    const v = new ClaimVerifier(() => now);
    expect(v.verify(signClaim(keys, "register", "alice", now), "release")).toMatchObject({ ok: false, code: "invalid_claim" });
    expect(v.verify({ ...signClaim(keys, "release", "alice", now), action: "register" }, "register")).toMatchObject({ ok: false, code: "invalid_signature" });
  });

  test(`the clock may differ by ${CLAIM_SKEW_S} s, not one second more`, () => {
    const v = new ClaimVerifier(() => now);
    expect(v.verify(signClaim(keys, "register", "alice", now - CLAIM_SKEW_S * 1000), "register")).toMatchObject({ ok: true });
    expect(v.verify(signClaim(keys, "register", "alice", now + CLAIM_SKEW_S * 1000), "register")).toMatchObject({ ok: true });
    expect(v.verify(signClaim(keys, "register", "alice", now - (CLAIM_SKEW_S + 1) * 1000), "register")).toMatchObject({ ok: false, code: "claim_expired" });
    expect(v.verify(signClaim(keys, "register", "alice", now + (CLAIM_SKEW_S + 1) * 1000), "register")).toMatchObject({ ok: false, code: "claim_expired" });
  });

  test("malformed fields are refused before any signature check", () => {
    const v = new ClaimVerifier(() => now);
    const claim = signClaim(keys, "register", "alice", now);
    expect(v.verify({ ...claim, nonce: "xyz" }, "register")).toMatchObject({ ok: false, code: "invalid_claim" });
    expect(v.verify({ ...claim, signature: "ab" }, "register")).toMatchObject({ ok: false, code: "invalid_claim" });
    expect(v.verify({ ...claim, nodeId: "not-an-id" }, "register")).toMatchObject({ ok: false, code: "invalid_claim" });
    expect(v.verify({ ...claim, timestamp: 1.5 }, "register")).toMatchObject({ ok: false, code: "claim_expired" });
  });
});
