// CBOR as the v2 Java node writes it (Jackson): maps and arrays of indefinite length, minimal-length
// integer heads, items in a fixed field order, so our messages are byte-identical to the reference
// (its test vectors are written this way). Only the five item kinds a DHT message holds are written
// here (integers, byte strings, text, null, and the two containers); reading is cbor-x's job.

export type CborItem = number | string | Uint8Array | null | CborMap | CborArray;
export interface CborMap {
  map: [string, CborItem][];
}
export interface CborArray {
  array: CborItem[];
}

const utf8 = new TextEncoder();

class Writer {
  private buf = new Uint8Array(1536);
  private at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
  }

  /** A major type with its argument in the shortest form (RFC 8949 §3). */
  head(major: number, n: number): void {
    const m = major << 5;
    this.room(9);
    if (n < 24) this.buf[this.at++] = m | n;
    else if (n < 0x100) {
      this.buf[this.at++] = m | 24;
      this.buf[this.at++] = n;
    } else if (n < 0x10000) {
      this.buf[this.at++] = m | 25;
      this.buf[this.at++] = n >> 8;
      this.buf[this.at++] = n & 0xff;
    } else if (n < 0x100000000) {
      this.buf[this.at++] = m | 26;
      new DataView(this.buf.buffer).setUint32(this.at, n);
      this.at += 4;
    } else {
      this.buf[this.at++] = m | 27;
      new DataView(this.buf.buffer).setBigUint64(this.at, BigInt(n));
      this.at += 8;
    }
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

export function encodeCbor(item: CborItem): Uint8Array {
  const w = new Writer();
  write(item, w);
  return w.result();
}

function write(item: CborItem, w: Writer): void {
  if (item === null) w.byte(0xf6);
  else if (typeof item === "number") {
    if (!Number.isSafeInteger(item)) throw new TypeError("only integers are written");
    if (item >= 0) w.head(0, item);
    else w.head(1, -1 - item);
  } else if (typeof item === "string") {
    const b = utf8.encode(item);
    w.head(3, b.length);
    w.bytes(b);
  } else if (item instanceof Uint8Array) {
    w.head(2, item.length);
    w.bytes(item);
  } else if ("map" in item) {
    w.byte(0xbf);
    for (const [key, value] of item.map) {
      write(key, w);
      write(value, w);
    }
    w.byte(0xff);
  } else {
    w.byte(0x9f);
    for (const value of item.array) write(value, w);
    w.byte(0xff);
  }
}
