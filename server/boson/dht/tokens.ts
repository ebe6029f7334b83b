// Write tokens (v2): an opaque int32 a node hands out with a look-up answer and checks on a later
// store or announce from the same requester (ID, IP and port) for the same target. Valid in the
// 5-minute epoch it was issued in and the next one, as the reference node does.
import { createHash, randomBytes } from "node:crypto";
import ipaddr from "ipaddr.js";
import type { Id } from "../id.ts";

export const TOKEN_EPOCH_MS = 5 * 60_000;

export class TokenManager {
  private readonly secret = new Uint8Array(randomBytes(32));

  constructor(private readonly now: () => number = Date.now) {}

  private compute(requester: Id, host: string, port: number, target: Id, epoch: number): number {
    const head = Buffer.alloc(10);
    head.writeUInt16BE(port, 0);
    head.writeBigInt64BE(BigInt(epoch), 2);
    const digest = createHash("sha256")
      .update(requester.bytes)
      .update(Uint8Array.from(ipaddr.parse(host).toByteArray()))
      .update(head.subarray(0, 2))
      .update(target.bytes)
      .update(head.subarray(2))
      .update(this.secret)
      .digest();
    const at = digest[0]! & 31;
    const token = (digest[at]! << 24) | (digest[(at + 1) % 32]! << 16) | (digest[(at + 2) % 32]! << 8) | digest[(at + 3) % 32]!;
    // 0 means "no token" on the wire: never hand it out.
    return token === 0 ? 1 : token;
  }

  private epoch(): number {
    return Math.floor(this.now() / TOKEN_EPOCH_MS);
  }

  issue(requester: Id, host: string, port: number, target: Id): number {
    return this.compute(requester, host, port, target, this.epoch());
  }

  verify(token: number, requester: Id, host: string, port: number, target: Id): boolean {
    if (token === 0) return false;
    const epoch = this.epoch();
    return token === this.compute(requester, host, port, target, epoch) || token === this.compute(requester, host, port, target, epoch - 1);
  }
}
