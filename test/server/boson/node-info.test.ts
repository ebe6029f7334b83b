// node_info between PC2 nodes: a signed statement inside the pair's crypto_box. Only the holder of a
// Node ID's key can speak for it: a forged sender ID does not even decrypt, and a statement signed
// by another key, or too old, is refused.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { KeyPair } from "../../../server/boson/keys.ts";
import { nodeInfoIsValid, NODE_INFO_MAX_SKEW_S, signNodeInfo } from "../../../server/boson/node-info.ts";
import { DatagramCodec } from "../../../server/boson/v2/datagram.ts";
import { ERROR, PC2_VERSION } from "../../../server/boson/v2/messages.ts";
import { RpcRemoteError, RpcTimeoutError } from "../../../server/boson/dht/rpc-server.ts";
import { BosonNode } from "../../../server/boson/boson-node.ts";
import { type NetNode, startNode, stopAll } from "../../helpers/boson-net.ts";

let pc2: NetNode;
let plain: NetNode;
let asker: NetNode;
const pc2Keys = KeyPair.random();

beforeAll(async () => {
  const node = new BosonNode({
    keys: pc2Keys,
    port: 0,
    ipv4: "127.0.8.1",
    bootstrap: [],
    maxRecords: 64,
    developmentMode: true,
    maintain: false,
    nodeInfo: () => signNodeInfo(pc2Keys, "PC2 test", "https://alice.example"),
  });
  await node.start();
  pc2 = { node, keys: pc2Keys, host: "127.0.8.1", dir: "" };
  plain = await startNode(KeyPair.random(), "127.0.8.2", []);
  asker = await startNode(KeyPair.random(), "127.0.8.3", []);
});
afterAll(() => stopAll([pc2, plain, asker]));

test("a PC2 node tells another what it is, signed by its key", async () => {
  const info = await asker.node.nodeInfo(pc2.node.dhts[0]!.contact);
  expect(info).toMatchObject({ version: "PC2 test", endpoint: "https://alice.example" });
  expect(nodeInfoIsValid(pc2Keys.id, info)).toBe(true);
});

test("a node that does not serve node_info (a plain Boson node) answers 204", async () => {
  await expect(asker.node.dhts[0]!.rpc.request(plain.node.dhts[0]!.contact, { method: "node_info" })).rejects.toMatchObject({ code: ERROR.unknownMethod });
  await expect(asker.node.nodeInfo(plain.node.dhts[0]!.contact)).rejects.toBeInstanceOf(RpcRemoteError);
});

test("asking under a wrong ID gets no answer: the box is sealed to the real key", async () => {
  const contact = { ...pc2.node.dhts[0]!.contact, id: KeyPair.random().id };
  await expect(asker.node.nodeInfo(contact)).rejects.toBeInstanceOf(RpcTimeoutError);
});

test("a datagram claiming someone else's Node ID does not decrypt, so it is never answered", async () => {
  const mallory = KeyPair.random();
  // Mallory boxes with her own key but writes the PC2 node's ID as the sender.
  const datagram = new DatagramCodec(mallory).encode(asker.keys.id, { txid: 3, version: PC2_VERSION, type: "request", request: { method: "node_info" } });
  datagram.set(pc2Keys.id.bytes, 0);
  const answers: Buffer[] = [];
  const socket = await Bun.udpSocket({ hostname: "127.0.8.4", port: 0, socket: { data: (_s, d) => void answers.push(d) } });
  const bad = asker.node.dhts[0]!.rpc.stats.badPackets;
  socket.send(datagram, asker.node.dhts[0]!.port, "127.0.8.3");
  await Bun.sleep(100);
  socket.close();
  expect(answers).toHaveLength(0);
  expect(asker.node.dhts[0]!.rpc.stats.badPackets).toBe(bad + 1);
});

test("statements signed by another key, altered, or outside the time window are refused", () => {
  const info = signNodeInfo(pc2Keys, "PC2 test", null, 1_000_000);
  expect(nodeInfoIsValid(pc2Keys.id, info, 1_000_000)).toBe(true);
  expect(nodeInfoIsValid(KeyPair.random().id, info, 1_000_000)).toBe(false);
  expect(nodeInfoIsValid(pc2Keys.id, { ...info, endpoint: "https://mallory.example" }, 1_000_000)).toBe(false);
  expect(nodeInfoIsValid(pc2Keys.id, { ...info, version: "PC2 evil" }, 1_000_000)).toBe(false);
  expect(nodeInfoIsValid(pc2Keys.id, info, 1_000_000 + NODE_INFO_MAX_SKEW_S)).toBe(true);
  expect(nodeInfoIsValid(pc2Keys.id, info, 1_000_000 + NODE_INFO_MAX_SKEW_S + 1)).toBe(false);
  expect(nodeInfoIsValid(pc2Keys.id, info, 1_000_000 - NODE_INFO_MAX_SKEW_S - 1)).toBe(false);
});
