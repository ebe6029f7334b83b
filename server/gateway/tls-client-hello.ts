// The server name a TLS client asks for (SNI, RFC 6066 §3), read from its ClientHello (RFC 8446
// §4.1.2) without decrypting anything: the gateway routes a TLS connection by it and passes the
// bytes on untouched, so the node terminates TLS and the relay never sees the plaintext. The
// ClientHello may span several records (post-quantum key shares make it large); it is reassembled
// up to a bound.

/** A TLS record carrying a handshake message. */
const HANDSHAKE = 0x16;
const CLIENT_HELLO = 0x01;
const SERVER_NAME = 0x0000;
const HOST_NAME = 0x00;
/** Largest ClientHello we wait for (a real one is under 2 KiB; 16 KiB allows for big extensions). */
const MAX_HELLO = 16 * 1024;

export type ClientHelloResult = { state: "partial" } | { state: "invalid"; reason: string } | { state: "ok"; serverName: string | null };

/** Does this connection start like TLS (a handshake record)? */
export function looksLikeTls(first: Uint8Array): boolean {
  return first.length > 0 && first[0] === HANDSHAKE;
}

/** Read the SNI from the first bytes of a connection; "partial" asks for more bytes. */
export function readClientHello(bytes: Uint8Array): ClientHelloResult {
  // Reassemble the handshake layer from the records.
  const fragments: Uint8Array[] = [];
  let have = 0;
  let need = -1;
  for (let off = 0; ; ) {
    if (need >= 0 && have >= need) break;
    if (off + 5 > bytes.length) return { state: "partial" };
    if (bytes[off] !== HANDSHAKE) return { state: "invalid", reason: "not a TLS handshake record" };
    if (bytes[off + 1] !== 0x03) return { state: "invalid", reason: "not a TLS record version" };
    const length = (bytes[off + 3]! << 8) | bytes[off + 4]!;
    if (length === 0 || length > 16384 + 256) return { state: "invalid", reason: "bad record length" };
    if (off + 5 + length > bytes.length) return { state: "partial" };
    fragments.push(bytes.subarray(off + 5, off + 5 + length));
    have += length;
    off += 5 + length;
    if (need < 0 && have >= 4) {
      const head = concat(fragments, 4);
      if (head[0] !== CLIENT_HELLO) return { state: "invalid", reason: "the first handshake message is not a ClientHello" };
      need = 4 + ((head[1]! << 16) | (head[2]! << 8) | head[3]!);
      if (need > MAX_HELLO) return { state: "invalid", reason: "ClientHello too large" };
    }
  }
  return parseHello(concat(fragments, need).subarray(4));
}

function concat(parts: Uint8Array[], upTo: number): Uint8Array {
  const out = new Uint8Array(upTo);
  let at = 0;
  for (const p of parts) {
    if (at >= upTo) break;
    const take = p.subarray(0, upTo - at);
    out.set(take, at);
    at += take.length;
  }
  return out;
}

/** A bounds-checked reader: any read past the end throws, and the caller calls it invalid. */
class Reader {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}
  u8(): number {
    if (this.at + 1 > this.b.length) throw new RangeError("truncated");
    return this.b[this.at++]!;
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  bytes(n: number): Uint8Array {
    if (this.at + n > this.b.length) throw new RangeError("truncated");
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  get left(): number {
    return this.b.length - this.at;
  }
}

function parseHello(body: Uint8Array): ClientHelloResult {
  try {
    const r = new Reader(body);
    r.bytes(2); // legacy_version
    r.bytes(32); // random
    r.bytes(r.u8()); // legacy_session_id
    r.bytes(r.u16()); // cipher_suites
    r.bytes(r.u8()); // legacy_compression_methods
    if (r.left === 0) return { state: "ok", serverName: null }; // no extensions at all
    const extensions = new Reader(r.bytes(r.u16()));
    while (extensions.left > 0) {
      const type = extensions.u16();
      const data = extensions.bytes(extensions.u16());
      if (type !== SERVER_NAME) continue;
      const list = new Reader(data);
      const names = new Reader(list.bytes(list.u16()));
      while (names.left > 0) {
        const kind = names.u8();
        const name = names.bytes(names.u16());
        if (kind !== HOST_NAME) continue;
        const text = new TextDecoder("ascii", { fatal: true }).decode(name);
        // RFC 6066: a DNS host name, no trailing dot, no IP literal; anything else is not routed.
        if (!/^[A-Za-z0-9.-]{1,253}$/.test(text)) return { state: "invalid", reason: "server name is not a host name" };
        return { state: "ok", serverName: text.toLowerCase() };
      }
    }
    return { state: "ok", serverName: null };
  } catch {
    return { state: "invalid", reason: "malformed ClientHello" };
  }
}

/** A fatal TLS alert (unrecognized_name, RFC 6066 §3) for a connection we cannot route. */
export const UNRECOGNIZED_NAME_ALERT = Uint8Array.of(0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70);
