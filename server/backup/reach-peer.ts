// Reaching a friend's node from the command line, with no node running (a new machine restoring
// from the phrase alone, or a stopped node): join the Boson network for a moment with a throwaway
// DHT identity on a free UDP port, find the friend by its Node ID, and talk to it signed with the
// backed-up node's key. The DHT is left when the caller is done.
import type { NetworkConfig } from "../config.ts";
import { BosonNode } from "../boson/boson-node.ts";
import { Id } from "../boson/id.ts";
import { KeyPair } from "../boson/keys.ts";
import { peerAddresses } from "./peer-locator.ts";
import { PeerDestination } from "./peer-destination.ts";

export async function reachPeerAlone(network: NetworkConfig, keys: KeyPair, hostId: string): Promise<{ destination: PeerDestination; leave: () => void }> {
  const id = Id.parse(hostId);
  const node = new BosonNode({
    keys: KeyPair.random(),
    port: 0,
    ipv4: network.ipv4 ?? undefined,
    ipv6: network.ipv6 ?? undefined,
    bootstrap: network.bootstrap.map((b) => ({ id: Id.parse(b.id), host: b.host, port: b.port })),
    maxRecords: 64,
    developmentMode: network.developmentMode,
    maintain: false,
  });
  await node.start();
  try {
    await node.bootstrap();
    const destination = await PeerDestination.connect(keys, id.toString(), await peerAddresses(node, id));
    return { destination, leave: () => node.stop() };
  } catch (err) {
    node.stop();
    throw err;
  }
}
