// Where a shared file can be opened, best first: the node's public address (its name through the
// gateway, or the relay's port) when it has one; its addresses on the local network (the port the
// request came in on); and the address the request used. A browser on the node's own machine would
// otherwise hand out 127.0.0.1, which works nowhere else.
import { networkInterfaces } from "node:os";

export interface ShareLink {
  kind: "public" | "lan" | "this-address";
  url: string;
}

export interface ShareLinkSources {
  /** The node's public base URLs, best first (https name, http name, relay endpoint); empty when it has none. */
  publicBases(): string[];
  /** The address the node listens on (0.0.0.0 / :: means every interface). */
  listenHost: string;
}

const LOOPBACK = /^(?:127\.|::1$|localhost$)/;

function lanAddresses(listenHost: string): string[] {
  const every = listenHost === "0.0.0.0" || listenHost === "::";
  const found = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => !i.internal && i.family === "IPv4")
    .map((i) => i.address);
  return every ? found : found.filter((a) => a === listenHost);
}

export function shareLinks(cid: string, requestUrl: string, s: ShareLinkSources): ShareLink[] {
  const path = `/ipfs/${cid}`;
  const here = new URL(requestUrl);
  const links: ShareLink[] = s.publicBases().map((base) => ({ kind: "public", url: new URL(path, base).href }));
  const port = here.port ? `:${here.port}` : "";
  for (const ip of lanAddresses(s.listenHost)) links.push({ kind: "lan", url: `${here.protocol}//${ip}${port}${path}` });
  const own = `${here.origin}${path}`;
  if (!links.some((l) => l.url === own)) links.push({ kind: "this-address", url: own });
  // The loopback address last: it only works on the node's own machine.
  return links.sort((a, b) => Number(LOOPBACK.test(new URL(a.url).hostname)) - Number(LOOPBACK.test(new URL(b.url).hostname)));
}
