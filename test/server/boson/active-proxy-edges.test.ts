// Active Proxy v2 frames and handshake bodies at their edges (the vectors test holds the reference's
// bytes): every type byte's category, sizes at and one past each limit (frames, challenges, AUTH
// bodies, domains), CONNECT bodies, the reader's smallest frames and its look-ahead, and each
// refusal as a FrameError with its words.
import { describe, expect, test } from "bun:test";
import { x25519 } from "@noble/curves/ed25519.js";
import { KeyPair } from "../../../server/boson/keys.ts";
import { caught } from "../../helpers/refusal.ts";
import {
  type Category,
  challengeFrame,
  classify,
  connectBody,
  FrameError,
  FrameReader,
  frame,
  MAX_FRAME,
  parseConnectBody,
  randomPadding,
  sealWith,
  typeByte,
} from "../../../server/boson/active-proxy/v2-frames.ts";
import { authAckBody, authBody, nodeContext, parseAuth, parseAuthAck } from "../../../server/boson/active-proxy/v2-handshake.ts";

const refusal = (run: () => unknown): string => caught(FrameError, run).message;

const RANGES: [Category, number, number][] = [
  ["auth", 0x00, 0x07],
  ["attach", 0x08, 0x0f],
  ["ping", 0x10, 0x1f],
  ["connect", 0x20, 0x2f],
  ["disconnect", 0x30, 0x3f],
  ["data", 0x40, 0x6f],
  ["error", 0x70, 0x7f],
];

describe("type bytes", () => {
  test("every byte 0x00–0x7f is its range's category; the ACK bit only where there is an ACK", () => {
    for (const [category, lo, hi] of RANGES)
      for (let b = lo; b <= hi; b++) {
        expect(classify(b)).toEqual({ category, ack: false });
        if (category === "data" || category === "error") expect(refusal(() => classify(b | 0x80))).toBe(`an ACK bit on ${category}`);
        else expect(classify(b | 0x80)).toEqual({ category, ack: true });
      }
  });

  test("a random type byte covers its whole range, both ends included; the fixed pick is the range's start", () => {
    for (const [category, lo, hi] of RANGES) {
      expect(typeByte(category, false, "min")).toBe(lo);
      const seen = new Set<number>();
      for (let i = 0; i < 2000; i++) seen.add(typeByte(category, false));
      expect(Math.min(...seen)).toBe(lo);
      expect(Math.max(...seen)).toBe(hi);
      expect(seen.size).toBe(hi - lo + 1);
      if (category === "data" || category === "error") expect(refusal(() => typeByte(category, true))).toBe(`${category} has no ACK`);
      else expect(typeByte(category, true, "min")).toBe(lo | 0x80);
    }
  });
});

describe("frames", () => {
  test("size ‖ type ‖ body ‖ padding, the size big-endian and counting itself; 65,535 bytes at most", () => {
    const body = new Uint8Array(300).fill(7);
    const out = frame(0x41, body, Uint8Array.of(9, 9));
    expect(out.length).toBe(305);
    expect([out[0], out[1], out[2], out[3], out[302], out[303], out[304]]).toEqual([0x01, 0x31, 0x41, 7, 7, 9, 9]);
    expect(frame(0x10, new Uint8Array(0))).toEqual(Uint8Array.of(0, 3, 0x10));
    expect(frame(0x40, new Uint8Array(MAX_FRAME - 3)).length).toBe(MAX_FRAME);
    expect(refusal(() => frame(0x40, new Uint8Array(MAX_FRAME - 3), Uint8Array.of(0)))).toBe("a frame of 65536 bytes is over 65535");
  });

  test("padding is 0–255 random bytes", () => {
    const lengths = new Set<number>();
    for (let i = 0; i < 3000; i++) lengths.add(randomPadding().length);
    expect(Math.min(...lengths)).toBe(0);
    expect(Math.max(...lengths)).toBe(255);
  });

  test("a challenge is 32–255 bytes, framed with its size and no type", () => {
    expect(challengeFrame(new Uint8Array(32).fill(1)).subarray(0, 3)).toEqual(Uint8Array.of(0, 34, 1));
    expect(challengeFrame(new Uint8Array(255)).subarray(0, 2)).toEqual(Uint8Array.of(1, 1));
    for (const n of [31, 256]) expect(refusal(() => challengeFrame(new Uint8Array(n)))).toBe("a challenge is 32-255 bytes");
  });

  test("CONNECT bodies: a 4- or 16-byte address left-aligned, the port big-endian; anything else refused", () => {
    const v4 = connectBody(Uint8Array.of(192, 0, 2, 7), 0x1234);
    expect(v4).toEqual(Uint8Array.of(4, 192, 0, 2, 7, ...new Uint8Array(12), 0x12, 0x34));
    expect(parseConnectBody(v4)).toEqual({ address: Uint8Array.of(192, 0, 2, 7), port: 0x1234 });
    const v6 = new Uint8Array(16).fill(0xfe);
    expect(parseConnectBody(connectBody(v6, 65535))).toEqual({ address: v6, port: 65535 });
    for (const n of [0, 5, 15, 17]) expect(refusal(() => connectBody(new Uint8Array(n), 80))).toBe("an address is 4 or 16 bytes");
    for (const plain of [v4.subarray(0, 18), Uint8Array.of(...v4, 0), Uint8Array.of(5, ...v4.subarray(1)), Uint8Array.of(0, ...v4.subarray(1))])
      expect(refusal(() => parseConnectBody(plain))).toBe("a malformed CONNECT");
  });

  test("the reader: a challenge of 32 bytes (size 34) is the smallest, 33 refused; then a bare type byte (size 3) is a frame, 2 refused", () => {
    expect(refusal(() => new FrameReader(true).push(Uint8Array.of(0, 33)))).toBe("a frame size of 33");
    const reader = new FrameReader(true);
    const challenge = new Uint8Array(32).fill(5);
    const r = reader.push(Uint8Array.of(...challengeFrame(challenge), 0, 3, 0x10));
    expect(r.challenge).toEqual(challenge);
    expect(r.frames).toEqual([{ type: 0x10, body: new Uint8Array(0) }]);
    expect(refusal(() => reader.push(Uint8Array.of(0, 2)))).toBe("a frame size of 2");
  });

  test("the reader's look-ahead: the size of the frame under way, from what it holds and the next chunk", () => {
    const reader = new FrameReader(false);
    expect(reader.pendingSize()).toBe(0);
    expect(reader.pendingSize(Uint8Array.of(0x12))).toBe(0);
    expect(reader.pendingSize(Uint8Array.of(0x12, 0x34, 0x56))).toBe(0x1234);
    expect(reader.push(Uint8Array.of(0x01))).toEqual({ frames: [] });
    expect(reader.pendingSize()).toBe(0);
    expect(reader.pendingSize(Uint8Array.of(0x02, 0x99))).toBe(0x0102);
    expect(reader.pendingSize(Uint8Array.of(0x02))).toBe(0x0102); // exactly the two size bytes
    expect(reader.push(Uint8Array.of(0x02))).toEqual({ frames: [] });
    expect(reader.pendingSize()).toBe(0x0102);
    expect(reader.pendingSize(Uint8Array.of(0xff, 0xff))).toBe(0x0102);
  });
});

describe("AUTH, ATTACH and AUTH_ACK bodies", () => {
  const server = KeyPair.random();
  const client = KeyPair.random();
  const challenge = new Uint8Array(40).fill(3);
  const sessionPublic = x25519.getPublicKey(new Uint8Array(32).fill(0x44));
  const nConn = new Uint8Array(24).fill(0x55);

  test("a domain of 255 bytes is carried; 256 are refused; ATTACH carries none", () => {
    const long = "d".repeat(255);
    expect(parseAuth(server, authBody(client, server.id, sessionPublic, nConn, challenge, "auth", long), challenge, "auth").domain).toBe(long);
    expect(parseAuth(server, authBody(client, server.id, sessionPublic, nConn, challenge, "auth", "é".repeat(127)), challenge, "auth").domain).toBe("é".repeat(127));
    expect(refusal(() => authBody(client, server.id, sessionPublic, nConn, challenge, "auth", "é".repeat(128)))).toBe("a domain is at most 255 bytes");
    const attach = parseAuth(server, authBody(client, server.id, sessionPublic, nConn, challenge, "attach"), challenge, "attach");
    expect(attach).toEqual({ clientId: attach.clientId, sessionPublic, nConn, domain: "" });
    expect(attach.clientId.equals(client.id)).toBe(true);
  });

  test("the shortest bodies: AUTH 169 bytes, ATTACH 168; one byte less is refused unread", () => {
    const auth = authBody(client, server.id, sessionPublic, nConn, challenge, "auth");
    const attach = authBody(client, server.id, sessionPublic, nConn, challenge, "attach");
    expect([auth.length, attach.length]).toEqual([169, 168]);
    expect(parseAuth(server, auth, challenge, "auth").domain).toBe("");
    expect(refusal(() => parseAuth(server, auth.subarray(0, 168), challenge, "auth"))).toBe("auth too short");
    expect(refusal(() => parseAuth(server, attach.subarray(0, 167), challenge, "attach"))).toBe("attach too short");
  });

  /** An AUTH body whose sealed plaintext the test writes itself. */
  const sealedAuth = (plain: Uint8Array) => Uint8Array.of(...client.id.bytes, ...sealWith(nodeContext(client, server.id), plain));
  const signedPlain = (extra: number[]) => Uint8Array.of(...sessionPublic, ...nConn, ...client.sign(challenge), ...extra);

  test("a domain longer than what follows it, or not UTF-8, is refused", () => {
    expect(refusal(() => parseAuth(server, sealedAuth(signedPlain([3, 0x61, 0x62])), challenge, "auth"))).toBe("a truncated domain");
    expect(parseAuth(server, sealedAuth(signedPlain([2, 0x61, 0x62])), challenge, "auth").domain).toBe("ab");
    expect(refusal(() => parseAuth(server, sealedAuth(signedPlain([2, 0xc3, 0x28])), challenge, "auth"))).toBe("a domain that is not UTF-8");
  });

  test("a claimed ID that is no public key, a box for another server, a signature over another challenge", () => {
    const body = authBody(client, server.id, sessionPublic, nConn, challenge, "auth");
    const forged = new Uint8Array(body);
    forged.set(new Uint8Array(32).fill(0xff), 0);
    expect(refusal(() => parseAuth(server, forged, challenge, "auth"))).toBe("not a node ID");
    expect(refusal(() => parseAuth(KeyPair.random(), body, challenge, "auth"))).toBe("a frame does not decrypt");
    expect(refusal(() => parseAuth(server, body, new Uint8Array(40).fill(4), "auth"))).toBe("the challenge is not signed by that node");
  });

  test("AUTH_ACK: the session key, the port big-endian and the domain flag, read back; a short one refused", () => {
    for (const [port, domain] of [
      [1, true],
      [0xab12, false],
      [65535, true],
    ] as const) {
      const ack = authAckBody(server, client.id, sessionPublic, port, domain);
      expect(ack.length).toBe(51);
      expect(parseAuthAck(client, server.id, ack)).toEqual({ sessionPublic, port, domainEnabled: domain });
    }
    expect(refusal(() => parseAuthAck(client, server.id, authAckBody(server, client.id, sessionPublic, 80, true).subarray(0, 50)))).toBe("AUTH_ACK too short");
  });
});
