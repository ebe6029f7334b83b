// Backups onto a friend's node: two real PC2 nodes on loopback find each other on the Boson DHT; the
// friend's Owner grants an allowance; the backup lands there, sealed (the friend's files and
// database hold none of the plaintext), the allowance is enforced, and a third, empty machine
// restores the node from the friend with the phrase and the friend's Node ID alone (the CLI joins
// the DHT by itself). The signed peer protocol refuses unsigned, foreign, tampered and replayed requests.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { KeyPair } from "../../../server/boson/keys.ts";
import { answerIsFrom, checkRequest, NonceLedger, PEER_HEADER, signAnswer, signRequest } from "../../../server/backup/peer-protocol.ts";
import { runCli } from "../../helpers/spawned-node.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { addUser, claimOwner, httpFetcher, json, signIn, type SignedIn } from "../../helpers/wallet-auth.ts";
import { filesClient } from "../../helpers/files-client.ts";
import { waitFor } from "../../helpers/wait.ts";

describe("the signed peer protocol", () => {
  const guest = KeyPair.random();
  const host = KeyPair.random();
  const to = host.id.toString();
  const body = new TextEncoder().encode("sealed bytes");
  const headersOf = (h: Record<string, string>) => new Headers(h);

  test("a request signed by the guest for this host, now, checks; anything changed does not", () => {
    const h = signRequest(guest, to, "PUT", "/api/backup/peer/chunks/ab", body);
    expect(checkRequest(to, headersOf(h), "PUT", "/api/backup/peer/chunks/ab", body)).toMatchObject({ ok: true, from: guest.id.toString() });
    const no = (r: ReturnType<typeof checkRequest>) => (r.ok ? "accepted" : r.reason);
    expect(no(checkRequest(to, headersOf(h), "PUT", "/api/backup/peer/chunks/ab", new TextEncoder().encode("sealed bytez")))).toContain("signature");
    expect(no(checkRequest(to, headersOf(h), "DELETE", "/api/backup/peer/chunks/ab", body))).toContain("signature");
    expect(no(checkRequest(to, headersOf(h), "PUT", "/api/backup/peer/chunks/cd", body))).toContain("signature");
    expect(no(checkRequest(KeyPair.random().id.toString(), headersOf(h), "PUT", "/api/backup/peer/chunks/ab", body))).toContain("another node");
    expect(no(checkRequest(to, headersOf({ ...h, [PEER_HEADER.from]: KeyPair.random().id.toString() }), "PUT", "/api/backup/peer/chunks/ab", body))).toContain("signature");
    expect(no(checkRequest(to, headersOf({ ...h, [PEER_HEADER.from]: "nobody" }), "PUT", "/api/backup/peer/chunks/ab", body))).toContain("which node");
    expect(no(checkRequest(to, headersOf({ ...h, [PEER_HEADER.nonce]: "short" }), "PUT", "/api/backup/peer/chunks/ab", body))).toContain("nonce");
    // Five minutes of clock difference at most, either way.
    const old = signRequest(guest, to, "GET", "/x", new Uint8Array(0), Date.now() - 5 * 60_000 - 1_000);
    expect(no(checkRequest(to, headersOf(old), "GET", "/x", new Uint8Array(0)))).toContain("clock");
    const ahead = signRequest(guest, to, "GET", "/x", new Uint8Array(0), Date.now() + 4 * 60_000);
    expect(checkRequest(to, headersOf(ahead), "GET", "/x", new Uint8Array(0)).ok).toBe(true);
  });

  test("answers: only the host's signature over this nonce, status and body counts", () => {
    const nonce = randomBytes(16).toString("hex");
    const sig = signAnswer(host, nonce, 200, body);
    expect(answerIsFrom(to, nonce, 200, body, sig)).toBe(true);
    expect(answerIsFrom(to, nonce, 404, body, sig)).toBe(false);
    expect(answerIsFrom(to, randomBytes(16).toString("hex"), 200, body, sig)).toBe(false);
    expect(answerIsFrom(to, nonce, 200, new Uint8Array(0), sig)).toBe(false);
    expect(answerIsFrom(to, nonce, 200, body, signAnswer(KeyPair.random(), nonce, 200, body))).toBe(false);
    expect(answerIsFrom(to, nonce, 200, body, null)).toBe(false);
  });

  test("a nonce is accepted once; a sender over its bound is told to wait", () => {
    const ledger = new NonceLedger(3);
    expect(ledger.admit("a", "n1", 0)).toBe("fresh");
    expect(ledger.admit("a", "n1", 1)).toBe("replay");
    expect(ledger.admit("b", "n1", 1)).toBe("fresh");
    expect(ledger.admit("a", "n2", 2)).toBe("fresh");
    expect(ledger.admit("a", "n3", 3)).toBe("fresh");
    expect(ledger.admit("a", "n4", 4)).toBe("full");
    // Ten minutes later the old nonces can no longer be replayed (their time is refused): room again.
    expect(ledger.admit("a", "n4", 11 * 60_000)).toBe("fresh");
  });
});

describe("two nodes and a new machine", () => {
  const DEV = { PC2_NETWORK_DEVELOPMENT_MODE: "true" };
  const work = makeTempDir();
  let friend: TestNode;
  let mine: TestNode;
  let friendOwner: SignedIn;
  let myOwner: SignedIn;
  let friendPort = 0;
  const MARKER = `plaintext-marker-${randomBytes(8).toString("hex")}`;

  const enable = (t: TestNode, who: SignedIn) => fetch(`${t.url}/api/network/settings`, { ...json({ enabled: true }, who.bearer), method: "PUT" }).then((r) => r.json());
  const grant = (who: SignedIn, nodeId: string, allowanceBytes: number, label = "My friend") =>
    fetch(`${friend.url}/api/backup/guests/${nodeId}`, { ...json({ label, allowanceBytes }, who.bearer), method: "PUT" });
  const backUp = (nodeId: string) => fetch(`${mine.url}/api/backup/run`, { ...json({ nodeId }, myOwner.bearer), method: "POST" }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const hostedBytes = () => {
    const dir = join(friend.dataDir, "backup-hosted");
    const sum = (d: string): number => (existsSync(d) ? readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? sum(join(d, e.name)) : statSync(join(d, e.name)).size), 0) : 0);
    return sum(dir);
  };

  beforeAll(async () => {
    friend = await startTestNode({ env: DEV });
    friendOwner = await claimOwner(httpFetcher(friend.url), friend.started.setup.code!);
    friendPort = (await enable(friend, friendOwner)).udpPort;
    mine = await startTestNode({ env: { ...DEV, PC2_NETWORK_BOOTSTRAP: `${friend.started.identity.nodeId}@127.0.0.1:${friendPort}` } });
    myOwner = await claimOwner(httpFetcher(mine.url), mine.started.setup.code!);
    await enable(mine, myOwner);
    // The friend's peer record can be found from my node.
    await waitFor(async () => (await mine.node.services.network.peerAddresses(friend.started.identity.nodeId)).length > 0, 15_000);
    const files = filesClient(httpFetcher(mine.url), myOwner);
    for (let i = 0; i < 20; i++) expect((await files.write("~/Documents", `secret-${i}.txt`, `${MARKER} ${i} `.repeat(200))).status).toBe(200);
    // 2 MiB that does not compress: more than the first allowance below.
    expect((await files.write("~/Documents", "random.bin", randomBytes(2 * 1024 * 1024))).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await mine?.stop();
    await friend?.stop();
    work.remove();
  });

  test("without an allowance the friend says no; over the allowance the backup fails and the friend holds no more than it", async () => {
    const friendId = friend.started.identity.nodeId;
    const refused = await backUp(friendId);
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ ok: false, destination: `node ${friendId}`, error: expect.stringContaining("has not given your node a backup allowance") });
    expect(hostedBytes()).toBe(0);

    expect((await grant(friendOwner, mine.started.identity.nodeId, 1024 * 1024)).status).toBe(200);
    const over = await backUp(friendId);
    expect(over.body).toMatchObject({ ok: false, error: expect.stringContaining("go over the 1 MiB") });
    expect(hostedBytes()).toBeLessThanOrEqual(1024 * 1024);
    const listed = await (await fetch(`${friend.url}/api/backup/guests`, { headers: friendOwner.bearer })).json();
    expect(listed.guests).toEqual([
      expect.objectContaining({ nodeId: mine.started.identity.nodeId, label: "My friend", allowanceBytes: 1024 * 1024, usedBytes: hostedBytes(), lastSeenAt: expect.any(String) }),
    ]);
  }, 60_000);

  test("with room, the backup lands on the friend sealed: none of the plaintext is in its files or database", async () => {
    expect((await grant(friendOwner, mine.started.identity.nodeId, 64 * 1024 * 1024)).status).toBe(200);
    const first = await backUp(friend.started.identity.nodeId);
    expect(first.body).toMatchObject({ ok: true, destination: `node ${friend.started.identity.nodeId}`, setsKept: 1 });
    expect(first.body.objects).toBeGreaterThanOrEqual(23); // the database, the identity, the vault key and 21 files
    expect(hostedBytes()).toBeGreaterThan(2 * 1024 * 1024);
    // Every file under the friend's data dir (its database and WAL included): no marker, no file name.
    const found: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          const b = readFileSync(p);
          if (b.includes(MARKER) || b.includes("secret-7.txt")) found.push(p);
        }
      }
    };
    walk(friend.dataDir);
    expect(found).toEqual([]);
    // The second backup of an unchanged node adds almost nothing: none of the files again, only the
    // database's changed chunks (the first backup left its own rows in it) — about a tenth of the first.
    const second = await backUp(friend.started.identity.nodeId);
    expect(second.body.ok).toBe(true);
    expect(second.body.bytesWritten).toBeLessThan(first.body.bytesWritten * 0.2);
    const audit = await (await fetch(`${friend.url}/api/audit?action=backup.guest.grant`, { headers: friendOwner.bearer })).json();
    expect(audit.entries[0]).toMatchObject({ actor: friendOwner.address, detail: { nodeId: mine.started.identity.nodeId, allowanceBytes: 64 * 1024 * 1024 } });
  }, 60_000);

  test("the friend's peer routes refuse the unsigned, the unknown, the tampered and the replayed; grants are the Owner's", async () => {
    const friendId = friend.started.identity.nodeId;
    const usage = `${friend.url}/api/backup/peer/usage`;
    const code = async (r: Response) => [r.status, (await r.json()).code];
    expect(await code(await fetch(usage))).toEqual([401, "peer_auth_failed"]);
    expect(await code(await fetch(usage, { headers: signRequest(KeyPair.random(), friendId, "GET", "/api/backup/peer/usage", new Uint8Array(0)) }))).toEqual([403, "backup_guest_unknown"]);
    const myKeys = mine.node.services.identity.bosonKeys();
    const signed = signRequest(myKeys, friendId, "GET", "/api/backup/peer/usage", new Uint8Array(0));
    const ok = await fetch(usage, { headers: signed });
    const okBody = new Uint8Array(await ok.arrayBuffer());
    expect(ok.status).toBe(200);
    expect(answerIsFrom(friendId, signed[PEER_HEADER.nonce]!, 200, okBody, ok.headers.get(PEER_HEADER.signature))).toBe(true);
    expect(await code(await fetch(usage, { headers: signed }))).toEqual([401, "peer_auth_failed"]); // the same request again
    // Signed for one body, sent with another.
    const chunk = "a".repeat(64);
    const put = signRequest(myKeys, friendId, "PUT", `/api/backup/peer/chunks/${chunk}`, new Uint8Array([1, 2, 3]));
    const tampered = await fetch(`${friend.url}/api/backup/peer/chunks/${chunk}`, { method: "PUT", headers: { ...put, "content-type": "application/octet-stream" }, body: new Uint8Array([1, 2, 4]) });
    expect(await code(tampered)).toEqual([401, "peer_auth_failed"]);
    const badName = await fetch(`${friend.url}/api/backup/peer/chunks/..%2Fpc2.db`, { headers: signRequest(myKeys, friendId, "GET", "/api/backup/peer/chunks/..%2Fpc2.db", new Uint8Array(0)) });
    expect(badName.status).toBe(400);
    // Only the Owner grants; a bad Node ID, this node's own ID and a tiny allowance are refused.
    const admin = await addUser(httpFetcher(friend.url), friendOwner, "admin");
    expect((await grant(admin, KeyPair.random().id.toString(), 1024 * 1024)).status).toBe(403);
    expect((await fetch(`${friend.url}/api/backup/guests`, { headers: admin.bearer })).status).toBe(403);
    expect(await code(await grant(friendOwner, "not-a-node-id-at-all-but-long-enough-to-pass", 1024 * 1024))).toEqual([400, "invalid_node_id"]);
    expect(await code(await grant(friendOwner, friendId, 1024 * 1024))).toEqual([400, "invalid_request"]);
    expect((await grant(friendOwner, KeyPair.random().id.toString(), 1000)).status).toBe(400);
  }, 30_000);

  test("a new machine restores from the friend with the phrase and the friend's Node ID alone; taking the allowance back deletes it all", async () => {
    const phrase = (await (await fetch(`${mine.url}/api/identity/phrase`, { headers: myOwner.bearer })).json()).words.join(" ");
    const myId = mine.started.identity.nodeId;
    const friendId = friend.started.identity.nodeId;
    await mine.node.stop("the old machine died");
    const fresh = join(work.path, "new-machine");
    const env = { PC2_DATA_DIR: fresh, PC2_NETWORK_BOOTSTRAP: `${friendId}@127.0.0.1:${friendPort}`, PC2_NETWORK_DEVELOPMENT_MODE: "true", PC2_NETWORK_IPV4: "127.0.0.1" };
    const verify = await runCli(["backup", "verify", `node:${friendId}`], env, `${phrase}\n`);
    expect([verify.code, verify.stderr]).toEqual([0, ""]);
    expect(verify.stdout).toContain(`of ${myId} is whole`);
    const wrong = await runCli(
      ["backup", "restore", `node:${friendId}`],
      { ...env, PC2_DATA_DIR: join(work.path, "other") },
      "legal winner thank year wave sausage worth useful legal winner thank yellow\n",
    );
    expect([wrong.code, wrong.stderr]).toEqual([3, expect.stringContaining("has not given your node a backup allowance")]);
    const restored = await runCli(["backup", "restore", `node:${friendId}`], env, `${phrase}\n`);
    expect([restored.code, restored.stderr]).toEqual([0, ""]);
    expect(restored.stdout).toMatch(new RegExp(`^Restoring backup set \\d{8}T\\d{9}Z of ${myId} \\(made [^)]+\\) from node ${friendId}: \\d+ objects`));
    const shown = JSON.parse((await runCli(["identity", "show", "--json"], { PC2_DATA_DIR: fresh })).stdout);
    expect(shown.nodeId).toBe(myId);
    expect((await runCli(["storage", "check"], { PC2_DATA_DIR: fresh })).code).toBe(0);
    // The files are back, byte for byte: the new machine serves them to the same Owner.
    const back = await startTestNode({ dataDir: fresh });
    try {
      const f = httpFetcher(back.url);
      const again = await signIn(f, myOwner.wallet);
      expect(again.role).toBe("owner");
      const read = await filesClient(f, again).read("~/Documents/secret-7.txt");
      expect(new TextDecoder().decode(read.bytes)).toBe(`${MARKER} 7 `.repeat(200));
    } finally {
      await back.node.stop("done");
    }

    const revoked = await fetch(`${friend.url}/api/backup/guests/${myId}`, { method: "DELETE", headers: friendOwner.bearer });
    expect(revoked.status).toBe(200);
    expect((await revoked.json()).deletedBytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(hostedBytes()).toBe(0);
    expect((await fetch(`${friend.url}/api/backup/guests/${myId}`, { method: "DELETE", headers: friendOwner.bearer })).status).toBe(404);
  }, 120_000);
});
