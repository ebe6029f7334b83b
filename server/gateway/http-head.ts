// Reads the head of the first HTTP/1.x request on a raw connection, so the gateway can route it by
// Host before any byte goes anywhere. Bounded in size; the bytes read are handed on unchanged.
export const MAX_HEAD_BYTES = 16 * 1024;

export type HeadResult = { ok: true; head: Uint8Array; host: string | null } | { ok: false; reason: "too_large" | "malformed" };

/** The head so far, once it is complete (ends with an empty line), or null while more is needed. */
export function parseHead(buffered: Uint8Array): HeadResult | null {
  const end = Buffer.from(buffered.buffer, buffered.byteOffset, buffered.byteLength).indexOf("\r\n\r\n");
  if (end < 0) return buffered.length > MAX_HEAD_BYTES ? { ok: false, reason: "too_large" } : null;
  if (end + 4 > MAX_HEAD_BYTES) return { ok: false, reason: "too_large" };
  const lines = new TextDecoder("latin1").decode(buffered.subarray(0, end)).split("\r\n");
  if (!/^[A-Z]+ \S+ HTTP\/1\.[01]$/.test(lines[0] ?? "")) return { ok: false, reason: "malformed" };
  let host: string | null = null;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return { ok: false, reason: "malformed" };
    if (line.slice(0, colon).toLowerCase() !== "host") continue;
    if (host !== null) return { ok: false, reason: "malformed" }; // two Host headers: refused, never guessed
    host = line.slice(colon + 1).trim();
    if (!/^[A-Za-z0-9.\-:[\]]{1,300}$/.test(host)) return { ok: false, reason: "malformed" };
  }
  return { ok: true, head: buffered, host };
}
