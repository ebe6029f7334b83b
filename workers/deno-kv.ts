// Deno.openKv() inside a function's process: Deno KV's API (get, getMany, set, delete, list with
// prefixes, ranges, cursors and reverse, atomic operations with versionstamp checks, sum/min/max on
// Deno.KvU64, expireIn) over the node's store for this function (server/services/functions/
// function-kv.ts), reached through the egress socket. Keys are encoded here (kv-keys.ts), values
// serialized here with the structured-clone serializer; the node stores bytes. Queues and watch
// are not available and say so.
import { deserialize, serialize } from "bun:jsc";
import { decodeKey, encodeKey, type KvKey, prefixEnd } from "./kv-keys.ts";

export type KvCall = (op: Record<string, unknown>) => Promise<unknown>;

type WireValue = { kind: "v8"; data: string } | { kind: "u64"; value: string };
interface WireEntry {
  key: string;
  value: WireValue;
  versionstamp: string;
}

export class KvU64 {
  readonly value: bigint;
  constructor(value: bigint) {
    if (typeof value !== "bigint") throw new TypeError("Deno.KvU64 takes a bigint");
    if (value < 0n || value > (1n << 64n) - 1n) throw new RangeError("A Deno.KvU64 is between 0 and 2^64 - 1");
    this.value = value;
  }
}

export interface KvEntryMaybe<T = unknown> {
  key: KvKey;
  value: T | null;
  versionstamp: string | null;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const cursorOf = (key: Uint8Array) => Buffer.from(key).toString("base64url");
const unsupported = (what: string) => () => {
  throw new Error(`${what} is not supported in PC2 functions yet`);
};

function toWire(value: unknown): WireValue {
  if (value instanceof KvU64) return { kind: "u64", value: value.value.toString() };
  return { kind: "v8", data: b64(new Uint8Array(serialize(value))) };
}

function fromWire(value: WireValue): unknown {
  return value.kind === "u64" ? new KvU64(BigInt(value.value)) : deserialize(unb64(value.data));
}

function entry(key: KvKey, wire: WireEntry | null): KvEntryMaybe {
  return wire ? { key: decodeKey(unb64(wire.key)), value: fromWire(wire.value), versionstamp: wire.versionstamp } : { key, value: null, versionstamp: null };
}

type Mutation = Record<string, unknown>;

export class AtomicOperation {
  private readonly checks: { key: string; versionstamp: string | null }[] = [];
  private readonly mutations: Mutation[] = [];
  constructor(private readonly call: KvCall) {}

  check(...checks: { key: KvKey; versionstamp: string | null }[]): this {
    for (const c of checks) this.checks.push({ key: b64(encodeKey(c.key)), versionstamp: c.versionstamp });
    return this;
  }
  set(key: KvKey, value: unknown, options?: { expireIn?: number }): this {
    this.mutations.push({ type: "set", key: b64(encodeKey(key)), value: toWire(value), expireIn: options?.expireIn });
    return this;
  }
  delete(key: KvKey): this {
    this.mutations.push({ type: "delete", key: b64(encodeKey(key)) });
    return this;
  }
  sum(key: KvKey, n: bigint): this {
    return this.numeric("sum", key, n);
  }
  min(key: KvKey, n: bigint): this {
    return this.numeric("min", key, n);
  }
  max(key: KvKey, n: bigint): this {
    return this.numeric("max", key, n);
  }
  private numeric(type: string, key: KvKey, n: bigint): this {
    this.mutations.push({ type, key: b64(encodeKey(key)), value: new KvU64(n).value.toString() });
    return this;
  }
  mutate(...mutations: { type: string; key: KvKey; value?: unknown; expireIn?: number }[]): this {
    for (const m of mutations) {
      if (m.type === "set") this.set(m.key, m.value, { expireIn: m.expireIn });
      else if (m.type === "delete") this.delete(m.key);
      else if (m.type === "sum" || m.type === "min" || m.type === "max") this.numeric(m.type, m.key, (m.value as KvU64).value);
      else throw new TypeError(`Unknown mutation type ${m.type}`);
    }
    return this;
  }
  enqueue = unsupported("AtomicOperation.enqueue (Deno KV queues)");

  async commit(): Promise<{ ok: true; versionstamp: string } | { ok: false }> {
    const { versionstamp } = (await this.call({ op: "atomic", checks: this.checks, mutations: this.mutations })) as { versionstamp: string | null };
    return versionstamp ? { ok: true, versionstamp } : { ok: false };
  }
}

export interface ListSelector {
  prefix?: KvKey;
  start?: KvKey;
  end?: KvKey;
}

export interface ListOptions {
  limit?: number;
  cursor?: string;
  reverse?: boolean;
  batchSize?: number;
  consistency?: "strong" | "eventual";
}

export class KvListIterator implements AsyncIterableIterator<KvEntryMaybe> {
  private buffer: WireEntry[] = [];
  private done = false;
  /** The store had nothing more: Deno's cursor is then empty (listing again starts over). */
  private exhausted = false;
  private yielded = 0;
  private last: Uint8Array | null = null;
  private start: Uint8Array;
  private end: Uint8Array;

  constructor(
    private readonly call: KvCall,
    selector: ListSelector,
    private readonly options: ListOptions,
  ) {
    const prefix = selector.prefix ? encodeKey(selector.prefix) : null;
    if (!prefix && !(selector.start && selector.end)) throw new TypeError("A list selector needs a prefix, or both start and end");
    this.start = selector.start ? encodeKey(selector.start) : new Uint8Array([...prefix!, 0x00]);
    this.end = selector.end ? encodeKey(selector.end) : prefixEnd(prefix!);
    if (options.cursor) {
      const after = new Uint8Array(Buffer.from(options.cursor, "base64url"));
      if (options.reverse) this.end = after;
      else this.start = new Uint8Array([...after, 0x00]);
    }
  }

  /** Where the next page starts: pass it as `cursor` to list again and continue. */
  get cursor(): string {
    return this.last && !this.exhausted ? cursorOf(this.last) : "";
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<KvEntryMaybe>> {
    const limit = this.options.limit ?? Number.POSITIVE_INFINITY;
    if (this.yielded >= limit) return { done: true, value: undefined };
    if (this.buffer.length === 0 && !this.done) {
      const batch = Math.min(this.options.batchSize ?? 100, limit - this.yielded, 1000);
      const { entries } = (await this.call({ op: "list", start: b64(this.start), end: b64(this.end), limit: batch, reverse: Boolean(this.options.reverse) })) as { entries: WireEntry[] };
      this.buffer = entries;
      if (entries.length < batch) this.done = true;
      const lastKey = entries.at(-1);
      if (lastKey) {
        const k = unb64(lastKey.key);
        if (this.options.reverse) this.end = k;
        else this.start = new Uint8Array([...k, 0x00]);
      }
    }
    const wire = this.buffer.shift();
    if (!wire) {
      this.exhausted = true;
      return { done: true, value: undefined };
    }
    this.yielded++;
    this.last = unb64(wire.key);
    return { done: false, value: entry([], wire) };
  }
}

export class Kv {
  private closed = false;
  constructor(private readonly rawCall: KvCall) {}

  private call: KvCall = (op) => {
    if (this.closed) throw new Error("This Deno.Kv is closed");
    return this.rawCall(op);
  };

  async get<T = unknown>(key: KvKey, _options?: { consistency?: string }): Promise<KvEntryMaybe<T>> {
    const [one] = await this.getMany([key]);
    return one as KvEntryMaybe<T>;
  }

  async getMany(keys: KvKey[], _options?: { consistency?: string }): Promise<KvEntryMaybe[]> {
    if (keys.length > 10) throw new TypeError("getMany reads at most 10 keys at once");
    const { entries } = (await this.call({ op: "get", keys: keys.map((k) => b64(encodeKey(k))) })) as { entries: (WireEntry | null)[] };
    return keys.map((k, i) => entry(k, entries[i] ?? null));
  }

  async set(key: KvKey, value: unknown, options?: { expireIn?: number }): Promise<{ ok: true; versionstamp: string }> {
    const result = await this.atomic().set(key, value, options).commit();
    return result as { ok: true; versionstamp: string };
  }

  async delete(key: KvKey): Promise<void> {
    await this.atomic().delete(key).commit();
  }

  list<T = unknown>(selector: ListSelector, options: ListOptions = {}): KvListIterator & AsyncIterableIterator<KvEntryMaybe<T>> {
    return new KvListIterator(this.call, selector, options) as KvListIterator & AsyncIterableIterator<KvEntryMaybe<T>>;
  }

  atomic(): AtomicOperation {
    return new AtomicOperation(this.call);
  }

  close(): void {
    this.closed = true;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  enqueue = unsupported("Deno.Kv.enqueue (queues)");
  listenQueue = unsupported("Deno.Kv.listenQueue (queues)");
  watch = unsupported("Deno.Kv.watch");
}
