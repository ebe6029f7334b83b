// JSON request bodies: application/json and Puter's text/plain;actually=json, read with a byte limit.
import { InvalidJsonError, PayloadTooLargeError } from "../errors.ts";

/** The parsed "body" of a non-JSON request: its stream is left for the route to read (uploads). */
export const UNREAD_BODY: Readonly<Record<string, never>> = Object.freeze({});

export function isJsonContentType(contentType: string): boolean {
  const ct = contentType.toLowerCase().replace(/\s+/g, "");
  return ct.startsWith("application/json") || ct.startsWith("text/plain;actually=json") || /^application\/[a-z0-9.+-]+\+json/.test(ct);
}

/** Read the whole body as text, failing with 413 as soon as it exceeds `limit` bytes. */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new PayloadTooLargeError(limit);
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

export async function parseJsonBody(request: Request, limit: number): Promise<unknown> {
  const text = await readBodyText(request, limit);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidJsonError();
  }
}
