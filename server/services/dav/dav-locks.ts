// WebDAV write locks (class 2, RFC 4918 §6–7): exclusive or shared, depth 0 or infinity, with
// timeouts, kept in memory per wallet (a lock lasts minutes and a restart ends them, as clients
// expect of a server that restarts). A locked resource — or a member of a locked collection — is
// changed only by a request that submits the lock's token in its If header.
import { fail } from "../../errors.ts";
import { isWithin, parentPath } from "../files/virtual-path.ts";
import { escapeXml } from "./dav-xml.ts";

export interface Lock {
  token: string;
  owner: string;
  /** The locked path inside the wallet's root. */
  root: string;
  href: string;
  scope: "exclusive" | "shared";
  depth: "0" | "infinity";
  /** The client's <D:owner> content, as sent. */
  ownerXml: string;
  timeoutSeconds: number;
  expires: number;
}

export const DEFAULT_LOCK_SECONDS = 3600;
export const MAX_LOCK_SECONDS = 86_400;
/** Locks one wallet may hold at once. */
export const MAX_LOCKS_PER_WALLET = 1000;

/** The Timeout header's first acceptable value, capped (Infinite is the cap). */
export function timeoutOf(header: string | null): number {
  for (const part of (header ?? "").split(",").map((p) => p.trim().toLowerCase())) {
    if (part === "infinite") return MAX_LOCK_SECONDS;
    const m = /^second-(\d+)$/.exec(part);
    if (m) return Math.max(1, Math.min(Number(m[1]), MAX_LOCK_SECONDS));
  }
  return DEFAULT_LOCK_SECONDS;
}

/** One wallet's locks, by token and by the path they lock. */
interface WalletLocks {
  byToken: Map<string, Lock>;
  byRoot: Map<string, Set<Lock>>;
}

export class LockManager {
  private readonly wallets = new Map<string, WalletLocks>();

  constructor(private readonly now: () => number = Date.now) {}

  private walletOf(owner: string): WalletLocks {
    let w = this.wallets.get(owner);
    if (!w) this.wallets.set(owner, (w = { byToken: new Map(), byRoot: new Map() }));
    return w;
  }

  private drop(lock: Lock): void {
    const w = this.wallets.get(lock.owner);
    if (!w) return;
    w.byToken.delete(lock.token);
    const atRoot = w.byRoot.get(lock.root);
    atRoot?.delete(lock);
    if (atRoot?.size === 0) w.byRoot.delete(lock.root);
    if (w.byToken.size === 0) this.wallets.delete(lock.owner);
  }

  /** Whether `lock` still holds; an expired one is forgotten on the way. */
  private holds(lock: Lock, t: number): boolean {
    if (lock.expires > t) return true;
    this.drop(lock);
    return false;
  }

  /** Every lock the wallet holds (at most MAX_LOCKS_PER_WALLET); other wallets' locks are not looked at. */
  private live(owner: string): Lock[] {
    const t = this.now();
    return [...(this.wallets.get(owner)?.byToken.values() ?? [])].filter((l) => this.holds(l, t));
  }

  /**
   * The locks that apply to `path`: on it, or on a collection above it with depth infinity. Looked up
   * by path, one lookup per folder above it, so a PROPFIND of many entries costs no scan per entry.
   */
  covering(owner: string, path: string): Lock[] {
    const w = this.wallets.get(owner);
    if (!w) return [];
    const t = this.now();
    const out: Lock[] = [];
    for (let at = path; ; at = parentPath(at)) {
      for (const l of w.byRoot.get(at) ?? []) if ((at === path || l.depth === "infinity") && this.holds(l, t)) out.push(l);
      if (at === "/") return out;
    }
  }

  /** The locks on `path` or anywhere below it. */
  within(owner: string, path: string): Lock[] {
    return this.live(owner).filter((l) => l.root === path || isWithin(l.root, path));
  }

  byToken(owner: string, token: string): Lock | null {
    const lock = this.wallets.get(owner)?.byToken.get(token);
    return lock && this.holds(lock, this.now()) ? lock : null;
  }

  /** A new lock, unless one in the way conflicts (423). */
  lock(input: Omit<Lock, "token" | "expires">): Lock {
    const inTheWay = [...this.covering(input.owner, input.root), ...(input.depth === "infinity" ? this.within(input.owner, input.root) : [])];
    if (inTheWay.some((l) => l.scope === "exclusive" || input.scope === "exclusive")) throw fail("dav_locked", "The resource is locked by another lock");
    if (this.live(input.owner).length >= MAX_LOCKS_PER_WALLET) throw fail("too_many_requests", `At most ${MAX_LOCKS_PER_WALLET} locks may be held at once`);
    const lock: Lock = { ...input, token: `urn:uuid:${crypto.randomUUID()}`, expires: this.now() + input.timeoutSeconds * 1000 };
    const w = this.walletOf(lock.owner);
    w.byToken.set(lock.token, lock);
    w.byRoot.set(lock.root, (w.byRoot.get(lock.root) ?? new Set()).add(lock));
    return lock;
  }

  refresh(lock: Lock, timeoutSeconds: number): Lock {
    lock.timeoutSeconds = timeoutSeconds;
    lock.expires = this.now() + timeoutSeconds * 1000;
    return lock;
  }

  /** UNLOCK: the token must name a lock that applies to `path` (409 otherwise). */
  unlock(owner: string, path: string, token: string): void {
    const lock = this.covering(owner, path).find((l) => l.token === token);
    if (!lock) throw fail("dav_lock_token_mismatch", "That lock token does not lock this resource");
    this.drop(lock);
  }

  /** The resource (and what was below it) is gone: so are its locks. */
  dropWithin(owner: string, path: string): void {
    for (const l of this.within(owner, path)) this.drop(l);
  }

  /**
   * May a request change `path`? Every lock that applies must have a token among those submitted:
   * with `deep`, also every lock below it (deleting or moving a collection); with `members`, the
   * locks on its parent too (adding or removing a member changes the collection).
   */
  check(owner: string, path: string, submitted: ReadonlySet<string>, opts: { deep?: boolean; parent?: string | null } = {}): void {
    const groups: Lock[][] = [this.covering(owner, path)];
    if (opts.parent) groups.push(this.covering(owner, opts.parent));
    if (opts.deep) for (const l of this.within(owner, path)) groups.push(this.covering(owner, l.root));
    for (const locks of groups) {
      if (locks.length > 0 && !locks.some((l) => submitted.has(l.token))) throw fail("dav_locked", "The resource is locked; submit its lock token in an If header");
    }
  }
}

/** A lock as the lockdiscovery property and LOCK's answer show it. */
export function activeLockXml(lock: Lock, now: number): string {
  const seconds = Math.max(0, Math.round((lock.expires - now) / 1000));
  return (
    "<D:activelock>" +
    "<D:locktype><D:write/></D:locktype>" +
    `<D:lockscope><D:${lock.scope}/></D:lockscope>` +
    `<D:depth>${lock.depth === "0" ? "0" : "infinity"}</D:depth>` +
    (lock.ownerXml ? `<D:owner>${lock.ownerXml}</D:owner>` : "") +
    `<D:timeout>Second-${seconds}</D:timeout>` +
    `<D:locktoken><D:href>${escapeXml(lock.token)}</D:href></D:locktoken>` +
    `<D:lockroot><D:href>${escapeXml(lock.href)}</D:href></D:lockroot>` +
    "</D:activelock>"
  );
}

export const SUPPORTED_LOCK =
  "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>" +
  "<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>";
