// Hostile traffic at one node: random, truncated, oversized, replayed and wrongly boxed datagrams,
// bad records, and a flood from one address. Nothing crashes it, nothing changes its tables, memory
// stays flat, and well-behaved peers are still served.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { Id } from "../../../server/boson/id.ts";
import { KeyPair } from "../../../server/boson/keys.ts";
import { DatagramCodec } from "../../../server/boson/v2/datagram.ts";
import { seal, sharedBoxKey } from "../../../server/boson/crypto-box.ts";
import { decodeMessage } from "../../../server/boson/v2/message-decoder.ts";
import { encodeMessage, ERROR, PC2_VERSION, ProtocolError } from "../../../server/boson/v2/messages.ts";
import { signedPeer, signedValue, valueId } from "../../../server/boson/v2/records.ts";
import { RpcRemoteError } from "../../../server/boson/dht/rpc-server.ts";
import { REFERENCE_ABUSE_LIMITS } from "../../../server/boson/dht/abuse-guard.ts";
import { type NetNode, startNode, stopAll } from "../../helpers/boson-net.ts";

let target: NetNode;
let friend: NetNode;
let attacker: Bun.udp.Socket<"buffer">;
const answers: Buffer[] = [];

beforeAll(async () => {
  target = await startNode(KeyPair.random(), "127.0.9.1", [], { limits: REFERENCE_ABUSE_LIMITS });
  friend = await startNode(KeyPair.random(), "127.0.9.2", [target.node.dhts[0]!.contact]);
  await friend.node.bootstrap();
  attacker = await Bun.udpSocket({ hostname: "127.0.9.3", port: 0, socket: { data: (_s, d) => void answers.push(d) } });
});
afterAll(() => {
  attacker.close();
  stopAll([target, friend]);
});

const dht = () => target.node.dhts[0]!;
const send = (d: Uint8Array) => attacker.send(d, dht().port, "127.0.9.1");
const settle = () => Bun.sleep(50);
const tableSnapshot = () =>
  dht()
    .table.all()
    .map((e) => `${e.id}@${e.host}:${e.port}`)
    .sort();

test("10,000 well-boxed but mutated messages: the decoder only ever says ProtocolError", () => {
  const a = KeyPair.random();
  const b = KeyPair.random();
  const sender = new DatagramCodec(a);
  const receiver = new DatagramCodec(b);
  const valid = encodeMessage({ txid: 1, version: PC2_VERSION, type: "request", request: { method: "store_value", token: 5, value: signedValue(a, new Uint8Array(40), { seq: 3 }), cas: 2 } });
  const key = sharedBoxKey(b.encryptionPublic, a.encryptionSecret);
  const nonce = DatagramCodec.pairNonce(a.encryptionPublic, b.encryptionPublic);
  let other = 0;
  for (let i = 0; i < 10_000; i++) {
    const body = i % 3 === 0 ? new Uint8Array(randomBytes(1 + (i % 300))) : Uint8Array.from(valid);
    if (i % 3 !== 0) for (let j = 0; j < 1 + (i % 4); j++) body[Math.floor(Math.random() * body.length)] = Math.floor(Math.random() * 256);
    const datagram = Uint8Array.from([...a.id.bytes, ...seal(key, nonce, i % 7 === 0 ? body.subarray(0, i % body.length) : body)]);
    try {
      receiver.decode(datagram);
    } catch (err) {
      if (!(err instanceof ProtocolError)) other++;
    }
  }
  expect(other).toBe(0);
  // The untouched message still decodes.
  expect(receiver.decode(sender.encode(b.id, decodeMessage(valid))).message).toMatchObject({ type: "request", txid: 1 });
});

test("10,000 garbage datagrams: no crash, tables unchanged, memory flat, friends still answered", async () => {
  const table = tableSnapshot();
  const records = target.node.store.valueCount + target.node.store.peerRecordCount;
  const liar = new DatagramCodec(KeyPair.random());
  const ping = liar.encode(dht().id, { txid: 7, version: PC2_VERSION, type: "request", request: { method: "ping" } });
  const kinds: (() => Uint8Array)[] = [
    () => randomBytes(1 + Math.floor(Math.random() * 1400)), // random
    () => ping.subarray(0, Math.floor(Math.random() * ping.length)), // truncated
    () => randomBytes(6000), // oversized
    () => ping, // replayed (answered, harmless)
    () => new DatagramCodec(KeyPair.random()).encode(KeyPair.random().id, { txid: 9, version: PC2_VERSION, type: "request", request: { method: "ping" } }), // boxed to someone else
    () => Uint8Array.from([...dht().id.bytes, ...randomBytes(64)]), // claims to be the node itself
  ];
  const heapBefore = process.memoryUsage().heapUsed;
  // Paced under the throttle's rate so each kind reaches the decoder (a flood is tested below).
  for (let i = 0; i < 10_000; i++) {
    send(kinds[i % kinds.length]!());
    if (i % 500 === 499) await settle();
  }
  await settle();
  Bun.gc(true);
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(16 * 1024 * 1024);
  expect(tableSnapshot()).toEqual(table);
  expect(target.node.store.valueCount + target.node.store.peerRecordCount).toBe(records);
  // The friend (another address) is still answered.
  await friend.node.dhts[0]!.ping(dht().contact);
  expect(dht().rpc.stats.badPackets).toBeGreaterThan(0);
}, 60_000);

test("the address that sent garbage is blacklisted; its good packets are ignored from then on", async () => {
  expect(dht().rpc.abuse.isBanned("127.0.9.3")).toBe(true);
  answers.length = 0;
  const codec = new DatagramCodec(KeyPair.random());
  send(codec.encode(dht().id, { txid: 11, version: PC2_VERSION, type: "request", request: { method: "ping" } }));
  await settle();
  expect(answers).toHaveLength(0);
});

test("a flood from one address is throttled while another peer is served", async () => {
  const flooder = await startNode(KeyPair.random(), "127.0.9.4", []);
  try {
    const flood = flooder.node.dhts[0]!;
    const results = await Promise.allSettled(Array.from({ length: 400 }, () => flood.rpc.request(dht().contact, { method: "ping" })));
    const answered = results.filter((r) => r.status === "fulfilled").length;
    expect(answered).toBeGreaterThanOrEqual(100);
    expect(answered).toBeLessThanOrEqual(200); // a burst of 128, plus what 32/s refills
    await friend.node.dhts[0]!.ping(dht().contact);
  } finally {
    flooder.node.stop();
  }
}, 30_000);

test("records with bad signatures, stale sequence numbers or no token are refused", async () => {
  const f = friend.node.dhts[0]!;
  const tokenFor = async (t: Id) => {
    const r = await f.rpc.request(dht().contact, { method: "find_node", target: t, want: { ipv4: true, ipv6: false, token: true } });
    return "token" in r ? r.token : 0;
  };
  const owner = KeyPair.random();
  const nonce = new Uint8Array(24).fill(1);
  const v5 = signedValue(owner, new Uint8Array([5]), { seq: 5, nonce });
  const id = valueId(v5);
  const store = async (value: typeof v5, token?: number) => f.rpc.request(dht().contact, { method: "store_value", token: token ?? (await tokenFor(id)), value, cas: -1 });
  await store(v5);
  const forged = { ...signedValue(owner, new Uint8Array([6]), { seq: 6, nonce }), data: new Uint8Array([66]) };
  await expect(store(forged)).rejects.toMatchObject({ code: ERROR.protocol });
  await expect(store(signedValue(owner, new Uint8Array([4]), { seq: 4, nonce }))).rejects.toMatchObject({ code: ERROR.sequenceNotMonotonic });
  await expect(store(signedValue(owner, new Uint8Array([7]), { seq: 7, nonce }), 12345)).rejects.toBeInstanceOf(RpcRemoteError);
  expect(target.node.store.getValue(id)!.seq).toBe(5);

  const peer = KeyPair.random();
  const record = signedPeer(peer, f.id, 4200, { origin: f.id });
  const announce = async (sig: Uint8Array) =>
    f.rpc.request(dht().contact, { method: "announce_peer", token: await tokenFor(peer.id), peerId: peer.id, nodeId: null, port: 4200, alt: null, signature: sig });
  await expect(announce(new Uint8Array(64))).rejects.toMatchObject({ code: ERROR.invalidSignature });
  await announce(record.signature);
  expect(target.node.store.getPeers(peer.id)).toHaveLength(1);
});
