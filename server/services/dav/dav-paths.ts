// Where WebDAV's URLs meet the file service's paths: /dav/<segments> is the caller's own root, each
// segment percent-decoded and checked by the same rules as every other file route (resolvePath);
// hrefs in answers are encoded back. A Destination (COPY, MOVE) must be this node's /dav/.
import { fail } from "../../errors.ts";
import { requestHost } from "../../http/request-meta.ts";
import { resolvePath } from "../files/virtual-path.ts";

export const DAV_PREFIX = "/dav";

/** The path inside the caller's root that a /dav/… URL path names. */
export function pathOf(urlPath: string, owner: string): string {
  if (urlPath !== DAV_PREFIX && !urlPath.startsWith(`${DAV_PREFIX}/`)) throw fail("not_found", "Not a WebDAV path");
  const segments = urlPath.slice(DAV_PREFIX.length).split("/").filter(Boolean);
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    throw fail("invalid_path", "The path is not valid percent-encoded UTF-8");
  }
  return resolvePath(`/${decoded.join("/")}`, owner);
}

/** The href of a path in answers (folders end with a slash). */
export function hrefOf(path: string, isDir: boolean): string {
  const encoded = path === "/" ? "" : path.split("/").slice(1).map(encodeURIComponent).join("/");
  return `${DAV_PREFIX}/${encoded}${isDir && encoded ? "/" : ""}`;
}

/** The Destination header of COPY and MOVE, as a path inside the caller's root. */
export function destinationOf(request: Request, owner: string): string {
  const header = request.headers.get("destination");
  if (!header) throw fail("invalid_request", "COPY and MOVE need a Destination header");
  let url: URL;
  try {
    url = new URL(header, request.url);
  } catch {
    throw fail("invalid_request", "The Destination header is not a URL");
  }
  // Another server, or another part of this one: WebDAV answers 502 (Bad Gateway).
  if (url.host.toLowerCase() !== requestHost(request).toLowerCase()) throw fail("dav_destination_elsewhere", "The Destination is on another server");
  if (url.pathname !== DAV_PREFIX && !url.pathname.startsWith(`${DAV_PREFIX}/`)) throw fail("dav_destination_elsewhere", "The Destination is outside /dav/");
  return pathOf(url.pathname, owner);
}

/** The Depth header: 0, 1 or infinity (its default where the method allows it). */
export function depthOf(request: Request, fallback: "0" | "1" | "infinity"): "0" | "1" | "infinity" {
  const d = request.headers.get("depth")?.trim().toLowerCase();
  if (d === undefined || d === "") return fallback;
  if (d === "0" || d === "1" || d === "infinity") return d;
  throw fail("invalid_request", `Depth must be 0, 1 or infinity (got "${d.slice(0, 20)}")`);
}
