// The XML of WebDAV (RFC 4918): request bodies parsed with their namespaces (@xmldom/xmldom), and
// responses written with an escaping builder. A DOCTYPE is refused outright (no entities, nothing
// external), and a body is read only up to its limit. The parser is loaded with the first body it
// reads, not with the node (~18 ms of its start-up).
import type { Element, Node } from "@xmldom/xmldom";
import { fail } from "../../errors.ts";

export const DAV = "DAV:";
/** The largest XML body read (PROPFIND, PROPPATCH, LOCK). */
export const MAX_XML_BYTES = 1024 * 1024;

/** A property's name: its namespace and local name. */
export interface QName {
  ns: string;
  name: string;
}

export const qkey = (q: QName) => `${q.ns} ${q.name}`;

let xmldom: typeof import("@xmldom/xmldom") | null = null;

/** The request's XML body, or null when it has none. */
export async function readXml(request: Request): Promise<Element | null> {
  const text = await readLimited(request, MAX_XML_BYTES);
  if (text.trim() === "") return null;
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw fail("bad_request", "A DOCTYPE or entity declaration is not accepted in a WebDAV body");
  xmldom ??= await import("@xmldom/xmldom");
  const parser = new xmldom.DOMParser({
    onError: (level: string, message: string) => {
      if (level !== "warning") throw fail("bad_request", `The XML body is malformed: ${String(message).slice(0, 200)}`);
    },
  });
  let doc: ReturnType<InstanceType<typeof xmldom.DOMParser>["parseFromString"]>;
  try {
    doc = parser.parseFromString(text, "application/xml");
  } catch (err) {
    throw fail("bad_request", `The XML body is malformed: ${(err as Error).message.slice(0, 200)}`);
  }
  const root = doc.documentElement;
  if (!root) throw fail("bad_request", "The XML body has no root element");
  return root;
}

async function readLimited(request: Request, max: number): Promise<string> {
  if (!request.body) return "";
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > max) throw fail("payload_too_large", `A WebDAV XML body may have ${max} bytes at most`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw fail("payload_too_large", `A WebDAV XML body may have ${max} bytes at most`);
    chunks.push(chunk);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

/** The element children of `el` (text and comments skipped). */
export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

export const isDav = (el: Element, name: string) => el.namespaceURI === DAV && el.localName === name;

export const qnameOf = (el: Element): QName => ({ ns: el.namespaceURI ?? "", name: el.localName ?? el.nodeName });

/** An element's content as XML text (a dead property's value, kept as sent). `el` came from readXml, which loaded xmldom. */
export function innerXml(el: Element): string {
  const s = new xmldom!.XMLSerializer();
  let out = "";
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) out += s.serializeToString(n);
  return out;
}

/** The element's own text. */
export const textOf = (el: Element) => el.textContent ?? "";

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/**
 * A property element in a response: DAV: properties with the D: prefix, others with a prefix of
 * their own declared on the element (an empty namespace is written as xmlns="").
 */
export function propElement(q: QName, inner: string | null): string {
  if (q.ns === DAV) return inner === null || inner === "" ? `<D:${q.name}/>` : `<D:${q.name}>${inner}</D:${q.name}>`;
  const open = q.ns === "" ? `<${q.name} xmlns=""` : `<X:${q.name} xmlns:X="${escapeXml(q.ns)}"`;
  const close = q.ns === "" ? `</${q.name}>` : `</X:${q.name}>`;
  return inner === null || inner === "" ? `${open}/>` : `${open}>${inner}${close}`;
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  423: "Locked",
  424: "Failed Dependency",
  507: "Insufficient Storage",
};

export const statusLine = (status: number) => `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ""}`.trimEnd();

/** A 207 Multi-Status answer from its <D:response> elements. */
export function multistatus(responses: string[]): Response {
  const body = `<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">${responses.join("")}</D:multistatus>`;
  return new Response(body, { status: 207, headers: { "content-type": 'application/xml; charset="utf-8"' } });
}

export function xmlResponse(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(`<?xml version="1.0" encoding="utf-8"?>\n${body}`, { status, headers: { "content-type": 'application/xml; charset="utf-8"', ...headers } });
}
