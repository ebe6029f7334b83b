// The in-memory directory of functions that requests name (function-directory.ts): a row is read
// once per TTL, forgotten at once when the service changes it, never kept for a name that does not
// exist, and read again after the TTL (a change made by another process).
import { describe, expect, test } from "bun:test";
import { FunctionDirectory } from "../../../server/services/functions/function-directory.ts";
import type { FunctionRow } from "../../../server/services/functions/functions.repository.ts";

const OWNER = `0x${"ab".repeat(20)}`;

function row(name: string, disabled = false): FunctionRow {
  return {
    id: `id-${name}`,
    owner: OWNER,
    name,
    visibility: "public",
    disabled,
    current_deployment: "0123456789abcdef",
    allowed_hosts: [],
    allow_lan: false,
    subdomain: null,
    limits: {},
    created_at: 1,
    updated_at: 1,
  } as FunctionRow;
}

function setup(ttl = 1000) {
  const table = new Map<string, FunctionRow>([["hello", row("hello")]]);
  const reads: string[] = [];
  let clock = 0;
  const directory = new FunctionDirectory(
    (owner, name) => {
      reads.push(`${owner}/${name}`);
      return owner === OWNER ? (table.get(name) ?? null) : null;
    },
    ttl,
    () => clock,
  );
  return { table, reads, directory, advance: (ms: number) => void (clock += ms) };
}

describe("FunctionDirectory", () => {
  test("a row is read once and kept until its TTL ends, then read again", () => {
    const { table, reads, directory, advance } = setup();
    expect(directory.find(OWNER, "hello")?.disabled).toBe(false);
    advance(999);
    table.set("hello", row("hello", true)); // changed by another process
    expect(directory.find(OWNER, "hello")?.disabled).toBe(false);
    expect(reads).toHaveLength(1);
    advance(1);
    expect(directory.find(OWNER, "hello")?.disabled).toBe(true);
    expect(reads).toHaveLength(2);
  });

  test("forget: the next request reads the row again at once", () => {
    const { table, reads, directory } = setup();
    directory.find(OWNER, "hello");
    table.set("hello", row("hello", true));
    directory.forget(OWNER, "hello");
    expect(directory.find(OWNER, "hello")?.disabled).toBe(true);
    expect(reads).toHaveLength(2);
  });

  test("forgetAll: a removed user's functions (deleted by cascade) are gone at once", () => {
    const { table, directory } = setup();
    directory.find(OWNER, "hello");
    table.clear();
    directory.forgetAll();
    expect(directory.find(OWNER, "hello")).toBeNull();
  });

  test("a name that does not exist is read every time, never kept", () => {
    const { table, reads, directory } = setup();
    expect(directory.find(OWNER, "nope")).toBeNull();
    table.set("nope", row("nope"));
    expect(directory.find(OWNER, "nope")?.name).toBe("nope");
    expect(reads).toEqual([`${OWNER}/nope`, `${OWNER}/nope`]);
  });

  test("a deleted row is dropped when read again, not served from before", () => {
    const { table, directory, advance } = setup();
    directory.find(OWNER, "hello");
    table.delete("hello");
    advance(1000);
    expect(directory.find(OWNER, "hello")).toBeNull();
    table.set("hello", row("hello", true));
    expect(directory.find(OWNER, "hello")?.disabled).toBe(true);
  });

  test("the owner's address is matched in any case (lowercased in URLs, checksummed when signed in)", () => {
    const { table, reads, directory } = setup();
    directory.find(OWNER, "hello");
    table.set("hello", row("hello", true));
    directory.forget(OWNER.toUpperCase().replace("0X", "0x"), "hello");
    expect(directory.find(OWNER, "hello")?.disabled).toBe(true);
    expect(reads).toHaveLength(2);
  });
});
