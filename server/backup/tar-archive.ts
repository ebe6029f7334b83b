// The POSIX ustar format, just enough for backup archives: regular files under a folder path, each a
// 512-byte header, its bytes and zero padding to a 512-byte block, and two zero blocks at the end.
// Any tar (GNU, BSD, 7-Zip) lists and extracts it. Reading indexes the headers once and then reads a
// member's bytes at its offset, so an archive of any size is never held in memory.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export const BLOCK = 512;

function field(header: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > length) throw new RangeError(`tar field too long: ${text}`);
  header.set(bytes, offset);
}

const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, "0")}\0`;

/** The header block of a regular file `path` (≤ 255 bytes, split at a "/" into ustar's prefix and name). */
export function tarHeader(path: string, size: number, mtime: Date, mode = 0o600): Uint8Array {
  let prefix = "";
  let name = path;
  if (new TextEncoder().encode(path).length > 100) {
    const cut = path.lastIndexOf("/", path.length - 1);
    if (cut <= 0 || cut > 155 || path.length - cut - 1 > 100) throw new RangeError(`path too long for ustar: ${path}`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  if (!Number.isSafeInteger(size) || size < 0 || size >= 8 ** 11) throw new RangeError("a ustar member is smaller than 8 GiB");
  const h = new Uint8Array(BLOCK);
  field(h, 0, 100, name);
  field(h, 100, 8, octal(mode, 8));
  field(h, 108, 8, octal(0, 8));
  field(h, 116, 8, octal(0, 8));
  field(h, 124, 12, octal(size, 12));
  field(h, 136, 12, octal(Math.floor(mtime.getTime() / 1000), 12));
  field(h, 148, 8, "        "); // the checksum counts its own field as spaces
  field(h, 156, 1, "0");
  field(h, 257, 8, "ustar\x0000");
  field(h, 345, 155, prefix);
  const sum = h.reduce((a, b) => a + b, 0);
  field(h, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/** Zero bytes that pad a member of `size` bytes to a whole block. */
export const padding = (size: number) => new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);

/** The end of an archive: two zero blocks. */
export const END = new Uint8Array(2 * BLOCK);

export class TarFormatError extends Error {}

/** Every regular file of a ustar archive on disk, by path, read at its offset when asked. */
export class TarFile {
  private readonly members = new Map<string, { offset: number; size: number }>();

  constructor(readonly path: string) {
    const fd = openSync(path, "r");
    try {
      const total = fstatSync(fd).size;
      const h = new Uint8Array(BLOCK);
      for (let at = 0; at + BLOCK <= total; ) {
        if (readSync(fd, h, 0, BLOCK, at) !== BLOCK) throw new TarFormatError("the archive ends inside a header");
        if (h.every((b) => b === 0)) break;
        const text = (o: number, n: number) => new TextDecoder().decode(h.subarray(o, o + n)).replace(/\0.*$/s, "");
        const stored = Number.parseInt(text(148, 8).trim(), 8);
        const sum = h.reduce((a, b, i) => a + (i >= 148 && i < 156 ? 32 : b), 0);
        if (stored !== sum) throw new TarFormatError(`not a tar archive, or damaged at byte ${at}`);
        const size = Number.parseInt(text(124, 12).trim() || "0", 8);
        const type = text(156, 1);
        const prefix = text(345, 155);
        const name = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
        if (at + BLOCK + size > total) throw new TarFormatError(`the archive is cut short inside ${name}`);
        if (type === "0" || type === "") this.members.set(name, { offset: at + BLOCK, size });
        at += BLOCK + size + padding(size).length;
      }
    } finally {
      closeSync(fd);
    }
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  has(name: string): boolean {
    return this.members.has(name);
  }

  read(name: string): Uint8Array {
    const m = this.members.get(name);
    if (!m) throw new TarFormatError(`the archive has no ${name}`);
    const out = new Uint8Array(m.size);
    const fd = openSync(this.path, "r");
    try {
      for (let done = 0; done < m.size; ) {
        const n = readSync(fd, out, done, m.size - done, m.offset + done);
        if (n === 0) throw new TarFormatError(`the archive is cut short inside ${name}`);
        done += n;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }
}
