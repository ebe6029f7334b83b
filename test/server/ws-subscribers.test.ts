// The hub's subscriber index: a wallet's publish reaches its own subscribers of that topic and no
// one else; unsubscribing and closing leave nothing behind.
import { describe, expect, test } from "bun:test";
import { Subscribers } from "../../server/http/ws-subscribers.ts";

describe("Subscribers", () => {
  test("by topic and wallet; removal leaves no empty entries", () => {
    const s = new Subscribers<string>();
    s.add("files", "0xa", "a1");
    s.add("files", "0xa", "a2");
    s.add("files", "0xb", "b1");
    s.add("node", "0xb", "b1");
    expect([...s.of("files", "0xa")].sort()).toEqual(["a1", "a2"]);
    expect([...s.of("files", "0xb")]).toEqual(["b1"]);
    expect([...s.of("files")].sort()).toEqual(["a1", "a2", "b1"]);
    expect([...s.of("files", "0xc")]).toEqual([]);
    expect([...s.of("network")]).toEqual([]);
    s.remove("files", "0xa", "a1");
    // The wallet's other socket is still there.
    expect([...s.of("files", "0xa")]).toEqual(["a2"]);
    s.remove("files", "0xa", "a2");
    // A topic nobody subscribed to: nothing to remove, nothing thrown.
    s.remove("never-subscribed", "0xa", "a1");
    s.remove("files", "0xa", "never-added");
    expect([...s.of("files", "0xa")]).toEqual([]);
    expect([...s.of("files")]).toEqual(["b1"]);
    s.remove("files", "0xb", "b1");
    s.remove("node", "0xb", "b1");
    expect((s as unknown as { byTopic: Map<string, unknown> }).byTopic.size).toBe(0);
  });

  test("a publish for one wallet among 10,000 sockets looks at that wallet's only", () => {
    const s = new Subscribers<number>();
    for (let i = 0; i < 10_000; i++) s.add("files", `0x${i % 1000}`, i);
    expect([...s.of("files", "0x7")]).toEqual([7, 1007, 2007, 3007, 4007, 5007, 6007, 7007, 8007, 9007]);
  });
});
