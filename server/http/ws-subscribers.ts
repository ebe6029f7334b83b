// Who is subscribed to what, indexed by topic and by wallet: publishing an event for one wallet
// reaches that wallet's subscribers without looking at anyone else's sockets (the cost of a publish
// grows with its audience, not with the number of connections).
export class Subscribers<S> {
  private readonly byTopic = new Map<string, Map<string, Set<S>>>();

  add(topic: string, address: string, socket: S): void {
    let wallets = this.byTopic.get(topic);
    if (!wallets) this.byTopic.set(topic, (wallets = new Map()));
    let sockets = wallets.get(address);
    if (!sockets) wallets.set(address, (sockets = new Set()));
    sockets.add(socket);
  }

  remove(topic: string, address: string, socket: S): void {
    const wallets = this.byTopic.get(topic);
    const sockets = wallets?.get(address);
    if (!sockets) return;
    sockets.delete(socket);
    if (sockets.size === 0) wallets!.delete(address);
    if (wallets!.size === 0) this.byTopic.delete(topic);
  }

  /** The subscribers of `topic`: every wallet's, or only `address`'s. */
  *of(topic: string, address?: string): Iterable<S> {
    const wallets = this.byTopic.get(topic);
    if (!wallets) return;
    if (address !== undefined) {
      yield* wallets.get(address) ?? [];
      return;
    }
    for (const sockets of wallets.values()) yield* sockets;
  }
}
