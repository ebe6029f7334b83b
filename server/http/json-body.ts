// JSON request bodies: application/json and Puter's text/plain;actually=json, read with a byte limit
// and a nesting limit checked before the parser runs.
import { AppError, fail, InvalidJsonError, PayloadTooLargeError } from "../errors.ts";

/** The parsed "body" of a non-JSON request: its stream is left for the route to read (uploads). */
export const UNREAD_BODY: Readonly<Record<string, never>> = Object.freeze({});

export function isJsonContentType(contentType: string): boolean {
  const ct = contentType.toLowerCase().replace(/\s+/g, "");
  return ct.startsWith("application/json") || ct.startsWith("text/plain;actually=json") || /^application\/[a-z0-9.+-]+\+json/.test(ct);
}

/** Read the whole body, failing with `tooLarge` (413) as soon as it exceeds `limit` bytes. */
export async function readBodyBytes(request: Request, limit: number, tooLarge: (limit: number) => AppError = (n) => new PayloadTooLargeError(n)): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Read the whole body as text, failing with `tooLarge` (413) as soon as it exceeds `limit` bytes. */
export async function readBodyText(request: Request, limit: number, tooLarge: (limit: number) => AppError = (n) => new PayloadTooLargeError(n)): Promise<string> {
  return new TextDecoder("utf-8", { fatal: false }).decode(await readBodyBytes(request, limit, tooLarge));
}

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Refuse JSON nested deeper than `maxDepth` in one linear pass (strings skipped), before the
 * parser sees it: deeply nested brackets cost the parser far more than their size.
 */
export function checkJsonDepth(text: string, maxDepth: number): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) throw fail("json_too_deep", `JSON nested deeper than ${maxDepth} levels is not accepted`, { limit: maxDepth });
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
}

/** Parse JSON text whose size is already bounded; `undefined` for an empty body. */
export function parseJsonText(text: string, maxDepth: number): unknown {
  if (text.trim() === "") return undefined;
  checkJsonDepth(text, maxDepth);
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidJsonError();
  }
}

export async function parseJsonBody(request: Request, limit: number, maxDepth: number, tooLarge?: (limit: number) => AppError): Promise<unknown> {
  return parseJsonText(await readBodyText(request, limit, tooLarge), maxDepth);
}
