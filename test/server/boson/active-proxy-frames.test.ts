// Active Proxy v2 frames against the reference's handshake vectors (shared/reference/boson-protocol.md
// §7.2): client node key U, a stand-in super node key D (public half), challenge 00..1f, client session
// secret 32×11, server session secret 32×33, N_conn 24×22, type bytes at their range minimum.
import { describe, expect, test } from "bun:test";
import { x25519 } from "@noble/curves/ed25519.js";
import { Id } from "../../../server/boson/id.ts";
import { KeyPair } from "../../../server/boson/keys.ts";
import { authAckBody, authBody, nodeContext, parseAuth, parseAuthAck, sessionContext } from "../../../server/boson/active-proxy/v2-handshake.ts";
import {
  challengeFrame,
  classify,
  connectBody,
  FrameError,
  FrameReader,
  frame,
  MAX_DATA_PLAINTEXT,
  openWith,
  parseConnectBody,
  sealWith,
  typeByte,
} from "../../../server/boson/active-proxy/v2-frames.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const U = new KeyPair(bytes("efbc28e7c5d4ac7b78a03961bebe1d205e0ebfb6cc9e62ebf41c29f39ee62ed3"));
const D = Id.of(bytes("3cacfabb9102dffe8f0b32974ba6c13c4bc21dfcc3bc4462ca2b794d75a76a03"));
const CHALLENGE = Uint8Array.from({ length: 32 }, (_, i) => i);
const CLIENT_SESSION_SK = new Uint8Array(32).fill(0x11);
const SERVER_SESSION_SK = new Uint8Array(32).fill(0x33);
const N_CONN = new Uint8Array(24).fill(0x22);
const clientSessionPk = x25519.getPublicKey(CLIENT_SESSION_SK);
const serverSessionPk = x25519.getPublicKey(SERVER_SESSION_SK);

describe("the reference handshake, byte for byte", () => {
  test("session public key, challenge frame", () => {
    expect(hex(clientSessionPk)).toBe("7b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13");
    expect(hex(challengeFrame(CHALLENGE))).toBe("0022000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  });

  test("AUTH (172 bytes, no domain)", () => {
    const auth = frame(typeByte("auth", false, "min"), authBody(U, D, clientSessionPk, N_CONN, CHALLENGE, "auth"));
    expect(auth.length).toBe(172);
    expect(hex(auth)).toBe(
      "00ac00883de8aa5804f91560120d936bbb78e5e07470c746ef7e9116863d7babe36e9409e2e1ccd567966f1dcce6916cce976bfec0e2c76ed51bf2cf7896f8c5de6c728df6c76309b9a3ba995eeb99a1a867d9c2cb6c7d83248a4dfdcc8e4623f6bcea5a15a4d546fa7a52e055a1af15e8f79fe913ed67407f44b7de54d46818cfabc94c4e8c3dfba33e49ddb08c7e11a21851b1ac069a5664206a02d7ce9d356ca8484fa76925abaefd545e",
    );
  });

  test("AUTH_ACK (port 25000, no domain), read back by the client", () => {
    // The node box is symmetric: U's side computes the same key and nonce as D's would.
    const ack = frame(typeByte("auth", true, "min"), sealWith(nodeContext(U, D), Uint8Array.from([...serverSessionPk, 0x61, 0xa8, 0])));
    expect(hex(ack)).toBe("003680b3f26357b421dc8f11212a2fe27ee1c3fe833585e48d1d871a7d4cc4bad03324f126c7baf809dcc046c47b11dad543de81414e");
    expect(parseAuthAck(U, D, ack.subarray(3))).toEqual({ sessionPublic: serverSessionPk, port: 25000, domainEnabled: false });
  });

  test("DATA client → server and CONNECT server → client under the session box", () => {
    const session = sessionContext(serverSessionPk, CLIENT_SESSION_SK, N_CONN);
    const data = frame(typeByte("data", false, "min"), sealWith(session, new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
    expect(hex(data)).toBe("002e40bd1e6a00cfbd75e2325ac97755414885c908f0bc8f937cb08ae15f7f37b5c90f9bf31eed168ad98eaff4d6");
    const connect = frame(typeByte("connect", false, "min"), sealWith(session, connectBody(Uint8Array.of(203, 0, 113, 7), 54321)));
    expect(hex(connect)).toBe("00262017435929780e9788a3bc8f3a2754a58e8a86a4eda7b334e4deb1704e1984c405d3485c");
    // The server's side of the session box opens it.
    const serverSide = sessionContext(clientSessionPk, SERVER_SESSION_SK, N_CONN);
    for (const n of [23, 25]) expect(() => sessionContext(clientSessionPk, SERVER_SESSION_SK, new Uint8Array(n))).toThrow("N_conn is 24 bytes");
    expect(parseConnectBody(openWith(serverSide, connect.subarray(3)))).toEqual({ address: Uint8Array.of(203, 0, 113, 7), port: 54321 });
  });
});

describe("frames and handshakes between our own client and server", () => {
  const server = KeyPair.random();
  const client = KeyPair.random();

  test("AUTH with a domain and ATTACH are read by the server; a signature over another challenge is refused", () => {
    const auth = parseAuth(server, authBody(client, server.id, clientSessionPk, N_CONN, CHALLENGE, "auth", "alice"), CHALLENGE, "auth");
    expect(auth).toMatchObject({ domain: "alice", sessionPublic: clientSessionPk, nConn: N_CONN });
    expect(auth.clientId.equals(client.id)).toBe(true);
    expect(parseAuth(server, authBody(client, server.id, clientSessionPk, N_CONN, CHALLENGE, "attach"), CHALLENGE, "attach").domain).toBe("");
    const other = new Uint8Array(32).fill(9);
    expect(() => parseAuth(server, authBody(client, server.id, clientSessionPk, N_CONN, CHALLENGE, "auth"), other, "auth")).toThrow(FrameError);
    // Boxed for another server, or with a forged client ID: it does not open.
    expect(() => parseAuth(server, authBody(client, KeyPair.random().id, clientSessionPk, N_CONN, CHALLENGE, "auth"), CHALLENGE, "auth")).toThrow(FrameError);
    const forged = authBody(client, server.id, clientSessionPk, N_CONN, CHALLENGE, "auth");
    forged.set(KeyPair.random().id.bytes, 0);
    expect(() => parseAuth(server, forged, CHALLENGE, "auth")).toThrow(FrameError);
    expect(parseAuthAck(client, server.id, authAckBody(server, client.id, serverSessionPk, 25001, true))).toEqual({ sessionPublic: serverSessionPk, port: 25001, domainEnabled: true });
  });

  test("type bytes stay in their ranges; DATA and ERROR have no ACK; frames split across reads are reassembled", () => {
    for (let i = 0; i < 200; i++) {
      expect(classify(typeByte("data", false))).toEqual({ category: "data", ack: false });
      expect(classify(typeByte("ping", true))).toEqual({ category: "ping", ack: true });
      expect(classify(typeByte("disconnect", false)).category).toBe("disconnect");
    }
    expect(() => typeByte("data", true)).toThrow(FrameError);
    expect(() => classify(0xc0)).toThrow(FrameError);
    const reader = new FrameReader(true);
    const stream = Uint8Array.from([...challengeFrame(CHALLENGE), ...frame(0x10, new Uint8Array(5)), ...frame(0x41, new Uint8Array(300))]);
    const got: { type: number; size: number }[] = [];
    let challenge: Uint8Array | undefined;
    for (let at = 0; at < stream.length; at += 7) {
      const r = reader.push(stream.subarray(at, at + 7));
      challenge ??= r.challenge;
      got.push(...r.frames.map((f) => ({ type: f.type, size: f.body.length })));
    }
    expect(challenge).toEqual(CHALLENGE);
    expect(got).toEqual([
      { type: 0x10, size: 5 },
      { type: 0x41, size: 300 },
    ]);
    expect(() => new FrameReader(false).push(Uint8Array.of(0, 2))).toThrow(FrameError);
  });

  test("no frame over 65535 bytes: DATA plaintext is at most 65516", () => {
    const ctx = sessionContext(serverSessionPk, CLIENT_SESSION_SK, N_CONN);
    expect(frame(0x40, sealWith(ctx, new Uint8Array(MAX_DATA_PLAINTEXT))).length).toBe(65535);
    expect(() => frame(0x40, sealWith(ctx, new Uint8Array(MAX_DATA_PLAINTEXT + 1)))).toThrow(FrameError);
  });
});
