// Where a friend's node answers HTTP, found by its Node ID on the Boson DHT: the public URL its
// signed peer record gives (through the Active Proxy), then its own address (the DHT contact) at the
// port the record names, over HTTPS and then HTTP. Which of them is really the friend is decided by
// the friend's signature on its answer (peer-destination.ts), never by the address.
import type { BosonNode } from "../boson/boson-node.ts";
import type { Id } from "../boson/id.ts";

const httpUrl = (text: string | null | undefined): string | null => {
  if (!text) return null;
  try {
    const u = new URL(text);
    return u.protocol === "http:" || u.protocol === "https:" ? u.origin : null;
  } catch {
    return null;
  }
};

export async function peerAddresses(node: BosonNode, id: Id): Promise<string[]> {
  const [contact, peers] = await Promise.all([node.findNode(id), node.findPeers(id)]);
  const own = peers.filter((p) => p.nodeId.equals(id));
  const urls: (string | null)[] = own.map((p) => httpUrl(p.alt));
  if (contact) {
    const host = contact.host.includes(":") ? `[${contact.host}]` : contact.host;
    for (const p of own) urls.push(`https://${host}:${p.port}`, `http://${host}:${p.port}`);
    const info = await node.nodeInfo(contact).catch(() => null);
    urls.push(httpUrl(info?.endpoint));
  }
  return [...new Set(urls.filter((u): u is string => u !== null))];
}
