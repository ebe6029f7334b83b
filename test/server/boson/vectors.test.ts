// Known-answer vectors from the Boson reference (shared/reference/boson-protocol.md §7): IDs,
// distance, CBOR envelopes, X25519 conversion, the v2 pair nonce, crypto_box datagrams and the v2
// signature formulas, byte for byte.
import { describe, expect, test } from "bun:test";
import { base58 } from "@scure/base";
import { open, sharedBoxKey } from "../../../server/boson/crypto-box.ts";
import { Id } from "../../../server/boson/id.ts";
import { KeyPair } from "../../../server/boson/keys.ts";
import { DatagramCodec } from "../../../server/boson/v2/datagram.ts";
import { decodeMessage } from "../../../server/boson/v2/message-decoder.ts";
import { encodeMessage } from "../../../server/boson/v2/messages.ts";
import { peerIsValid, signedPeer, signedValue, valueId, valueIsValid } from "../../../server/boson/v2/records.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const OR_V1 = 0x4f520001;
// The 64-byte keys from Boson.ActiveProxy.Client's config.yaml ("user" U and "device" D).
const U_SEED = bytes("efbc28e7c5d4ac7b78a03961bebe1d205e0ebfb6cc9e62ebf41c29f39ee62ed3");
const U = new KeyPair(U_SEED);
const D_PK = "3cacfabb9102dffe8f0b32974ba6c13c4bc21dfcc3bc4462ca2b794d75a76a03";

describe("IDs", () => {
  test("Base58 text and hex of known IDs (no prefix, no checksum)", () => {
    const cases = [
      ["HVG7zCqPqKVyxwwwKtC43EasxA3U7uVDLDU2EkRdKoA5", "f4f859a871aac9a88f23ff8c95a59efb94f35b7d0781c3b84322caf6f462ced6"],
      ["HZXXs9LTfNQjrDKvvexRhuMk8TTJhYCfrHwaj3jUzuhZ", "f610197a374dfc3801cb00ad1acda6f7a52bb8e0bff10a3e0db2aacdcea41ed8"],
      ["J1h7RHv5iHhT43zsXxMCg7zGmZq6g4Ec2VJeCkSGry2E", "fcc407f1588a201246b1d460bcc1b00051f46a6cf8051f9ff7f98d997572e99f"],
    ];
    for (const [b58, h] of cases) {
      const id = Id.parse(b58!);
      expect(hex(id.bytes)).toBe(h!);
      expect(id.toString()).toBe(b58!);
      expect(Id.parse(`0x${h}`).equals(id)).toBe(true);
      expect(Id.parse(`did:boson:${b58}`).equals(id)).toBe(true);
      expect(id.toDid()).toBe(`did:boson:${b58}`);
    }
  });

  test("malformed IDs are refused", () => {
    for (const bad of ["", "0OIl", "HVG7zCqPqKVyxwwwKtC43EasxA3U7uVDLDU2EkRd", "0x1234", `0x${"g".repeat(64)}`, "did:boson:", "HVG7zCqPqKVyxwwwKtC43EasxA3U7uVDLDU2EkRdKoA5HVG7"]) {
      expect(() => Id.parse(bad)).toThrow();
    }
  });

  test("XOR distance and approximate distance (IdTests, v2.0.7)", () => {
    const a = Id.parse(`0x00000000f528d6${"a".repeat(44)}cb7076`);
    const b = Id.parse(`0x00000000f0a8d6${"a".repeat(44)}cb7076`);
    expect(a.distance(b).toHex()).toBe(`0x0000000005800000${"0".repeat(48)}`);
    expect(a.approxDistance(b)).toBe(219);
    expect(a.approxDistance(a)).toBe(0);
    expect(a.compareDistance(b, a)).toBeGreaterThan(0);
  });
});

describe("keys and crypto_box", () => {
  test("Ed25519 → X25519 as libsodium converts it", () => {
    expect(hex(U.publicKey)).toBe("883de8aa5804f91560120d936bbb78e5e07470c746ef7e9116863d7babe36e94");
    expect(U.id.toString()).toBe("AAqCZmUwD5hPAwNZBUsf1xsqsuWMUK74za3r6b9dgioD");
    expect(hex(U.encryptionSecret)).toBe("480506656822104d1ca00cae937f31bcc1d543f3271fea14fb355c51e444d95c");
    expect(hex(U.encryptionPublic)).toBe("18865e8a173204335418131e3a833030a6bd0851c4f5253ba62844a55c1e6f39");
    const rfc = new KeyPair(bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    expect(rfc.id.toString()).toBe("FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z");
    expect(hex(rfc.encryptionPublic)).toBe("d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e");
    expect(hex(rfc.encryptionSecret)).toBe("307c83864f2833cb427a2ef1c00a013cfdff2768d980c0a3a520f006904de94f");
  });

  test("the 64-byte secret keys of Boson configs load, and a mismatched half is refused", () => {
    const secret = new Uint8Array([...U_SEED, ...U.publicKey]);
    expect(KeyPair.fromSecretKey(secret).id.equals(U.id)).toBe(true);
    expect(hex(base58.decode("AAqCZmUwD5hPAwNZBUsf1xsqsuWMUK74za3r6b9dgioD"))).toBe(hex(U.publicKey));
    secret[63]! ^= 1;
    expect(() => KeyPair.fromSecretKey(secret)).toThrow();
  });

  test("the v2 pair nonce is the first 24 bytes of the XOR of the X25519 public keys, the same both ways", () => {
    const dX = bytes("f4032e08f7720f2b203b559d27366f287d7ebf54ece66faf760535a1aebe1735");
    expect(hex(DatagramCodec.pairNonce(U.encryptionPublic, dX))).toBe("ec857082e0400b18742346831db55f18dbc3b70528134a94");
    expect(hex(DatagramCodec.pairNonce(dX, U.encryptionPublic))).toBe("ec857082e0400b18742346831db55f18dbc3b70528134a94");
  });

  test("a v2 ping datagram from U to D, byte for byte, and D's side opens it", () => {
    const codec = new DatagramCodec(U);
    const datagram = codec.encode(Id.of(bytes(D_PK)), { txid: 10, version: OR_V1, type: "request", request: { method: "ping" } });
    expect(hex(datagram)).toBe("883de8aa5804f91560120d936bbb78e5e07470c746ef7e9116863d7babe36e94ea54729dbde02fb8f81b87260acc67013aef0b44f1cb91bc6a6b2e9794a30d03");
    const dSecret = bytes("10f8452eb03fe865cadab6ad3223111af17618d693559273e79458920a70a77e");
    const plain = open(sharedBoxKey(U.encryptionPublic, dSecret), bytes("ec857082e0400b18742346831db55f18dbc3b70528134a94"), datagram.subarray(32));
    expect(hex(plain!)).toBe("bf6179182161740a61761a4f520001ff");
  });
});

describe("CBOR envelopes (CompatibilityTests)", () => {
  const target = Id.parse("HVG7zCqPqKVyxwwwKtC43EasxA3U7uVDLDU2EkRdKoA5");
  test("ping request and response, store response, find_node with each want mask", () => {
    expect(hex(encodeMessage({ txid: 10, version: OR_V1, type: "request", request: { method: "ping" } }))).toBe("bf6179182161740a61761a4f520001ff");
    expect(hex(encodeMessage({ txid: 10, version: OR_V1, type: "response", response: { method: "ping" } }))).toBe("bf6179184161740a61761a4f520001ff");
    expect(hex(encodeMessage({ txid: 2, version: OR_V1, type: "response", response: { method: "store_value" } }))).toBe("bf6179184561740261761a4f520001ff");
    for (const w of [1, 2, 3, 5, 6, 7]) {
      const want = { ipv4: (w & 1) !== 0, ipv6: (w & 2) !== 0, token: (w & 4) !== 0 };
      const encoded = encodeMessage({ txid: 1234, version: OR_V1, type: "request", request: { method: "find_node", target, want } });
      expect(hex(encoded)).toBe(`bf6179182261741904d26171bf61745820${hex(target.bytes)}61770${w}ff61761a4f520001ff`);
      expect(decodeMessage(encoded)).toEqual({ txid: 1234, version: OR_V1, type: "request", request: { method: "find_node", target, want } });
    }
  });

  test("a node list written with a definite outer array (3.0.0 fixtures) decodes like v2's indefinite one", () => {
    const node = (i: number) => `9f5820${hex(new Uint8Array(32).fill(i))}44c0a8000${i}19${(39000 + i).toString(16)}ff`;
    const definite = bytes(`bf617918426174016172bf626e3482${node(1)}${node(2)}63746f6b1a499602d2ff61761a4f520001ff`);
    const message = decodeMessage(definite);
    expect(message).toMatchObject({ type: "response", txid: 1, response: { method: "find_node", token: 1234567890 } });
    const r = (message as { response: { nodes4: { host: string; port: number }[] } }).response;
    expect(r.nodes4.map((n) => `${n.host}:${n.port}`)).toEqual(["192.168.0.1:39001", "192.168.0.2:39002"]);
  });
});

describe("v2 record signatures", () => {
  test("a peer record signed by D for origin U at the PC2 super node (port 25001, alt URL)", () => {
    // D's seed is not published: the reference signature is checked, and our own signing round-trips.
    const sig = "d2d1595a8e2fd5f7e8996dd2aedc63dd14041dc315c5be2c531c83a0653233ab269530dd69eb9d4bc5dd9e73eda2a7d0ec57d6bac598bb3a74475094e7c43105";
    const record = {
      peerId: Id.of(bytes(D_PK)),
      nodeId: Id.parse("J1h7RHv5iHhT43zsXxMCg7zGmZq6g4Ec2VJeCkSGry2E"),
      origin: U.id,
      port: 25001,
      alt: "https://alice.ela.city",
      signature: bytes(sig),
    };
    expect(peerIsValid(record)).toBe(true);
    expect(peerIsValid({ ...record, port: 25002 })).toBe(false);
    expect(peerIsValid({ ...record, alt: "https://mallory.ela.city" })).toBe(false);
    const own = signedPeer(U, record.nodeId, 25001, { origin: U.id, alt: "https://alice.ela.city" });
    expect(peerIsValid(own)).toBe(true);
  });

  test("a signed mutable value: its ID is SHA-256(k ‖ n), its signature exact", () => {
    const nonce = Uint8Array.from({ length: 24 }, (_, i) => i);
    const v = signedValue(U, new TextEncoder().encode("hello boson"), { seq: 0, nonce });
    expect(valueId(v).toString()).toBe("GQV39MyVtK6R8UsAk5dagfPcDzHnCyK3F7sv21fTskiG");
    expect(hex(v.signature!)).toBe("36fba8eedaf1ee261baf988b485c600ec7ce61d4c726e84feccfa406cb247722e2cecdd5ded5eecbd554a6e863ff9b432d71f96608e473a00cfceb341952c00c");
    expect(valueIsValid(v)).toBe(true);
    expect(valueIsValid({ ...v, seq: 1 })).toBe(false);
    expect(valueIsValid({ ...v, data: new TextEncoder().encode("hello bosoN") })).toBe(false);
  });

  test("U's signature over 32 zero bytes (deterministic Ed25519)", () => {
    expect(hex(U.sign(new Uint8Array(32)))).toBe("0fb449fc1480b7058886032603f8312faed073560fb8998d8424e4662fce97e354c5bff90882f65ddb7f9926cb8ccb93a5ea1c9de0ec9176728dc3d52b59040c");
  });
});

test("the box key is libsodium's crypto_box_beforenm (same as tweetnacl's box.before)", async () => {
  const nacl = (await import("tweetnacl")).default;
  for (let i = 0; i < 20; i++) {
    const a = KeyPair.random();
    const b = KeyPair.random();
    expect(hex(sharedBoxKey(b.encryptionPublic, a.encryptionSecret))).toBe(hex(nacl.box.before(b.encryptionPublic, a.encryptionSecret)));
    expect(hex(sharedBoxKey(a.encryptionPublic, b.encryptionSecret))).toBe(hex(sharedBoxKey(b.encryptionPublic, a.encryptionSecret)));
  }
});
