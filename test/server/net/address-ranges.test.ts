// The range each address is refused under (server/net/address-class.ts): the words a refusal names
// (`range` in its detail), for plain addresses, each IPv4-in-IPv6 embedding with what it carries, the
// metadata services outside link-local, Teredo, the unparsable; and who may reach each tier.
// (address-class.test.ts holds the tiers of many more spellings.)
import { expect, test } from "bun:test";
import { classifyAddress, reachable } from "../../../server/net/address-class.ts";

const CASES: [string, string, string][] = [
  ["8.8.8.8", "public", "unicast"],
  ["2606:4700:4700::1111", "public", "unicast"],
  ["::ffff:808:808", "public", "ipv4Mapped"],
  ["64:ff9b::808:808", "public", "rfc6052"],
  ["2002:808:808::1", "public", "6to4"],
  ["::ffff:0:808:808", "public", "rfc6145"],
  // Not embeddings: ::ffff:1:… and 0:0:0:0:1:ffff:… are ordinary addresses; 64:ff9b:2:: is past NAT64's local-use /48.
  ["::ffff:1:808:808", "public", "unicast"],
  ["0:0:0:0:1:ffff:808:808", "public", "unicast"],
  ["64:ff9b:2::808:808", "public", "unicast"],
  // One word off each embedding form, carrying loopback: ordinary addresses, not loopback in disguise.
  ["::1:7f00:1", "public", "unicast"],
  ["1::ffff:7f00:1", "public", "unicast"],
  ["0:0:0:0:1:ffff:7f00:1", "public", "unicast"],
  ["1::ffff:0:7f00:1", "public", "unicast"],
  ["0:0:0:0:ffff:1:7f00:1", "public", "unicast"],
  ["0:0:0:0:1:0:7f00:1", "public", "unicast"],
  ["64:ff9a::7f00:1", "public", "unicast"],
  ["65:ff9b::7f00:1", "public", "unicast"],
  // 6to4 whose second and third words look like NAT64's local-use prefix: still 6to4.
  ["2002:ff9b:1::", "never", "6to4(reserved)"],
  ["127.0.0.1", "lan", "loopback"],
  ["10.1.2.3", "lan", "private"],
  ["100.64.0.1", "lan", "carrierGradeNat"],
  ["::1", "lan", "loopback"],
  ["fd00::1", "lan", "uniqueLocal"],
  ["::ffff:7f00:1", "lan", "ipv4Mapped(loopback)"],
  ["::ffff:127.0.0.1", "lan", "ipv4Mapped(loopback)"],
  ["2002:7f00:1::1", "lan", "6to4(loopback)"],
  ["::ffff:0:7f00:1", "lan", "rfc6145(loopback)"],
  ["64:ff9b::7f00:1", "lan", "rfc6052(loopback)"],
  ["64:ff9b:1::808:808", "lan", "nat64LocalUse"],
  ["64:ff9b:1::a9fe:a9fe", "never", "nat64LocalUse(linkLocal)"],
  ["169.254.169.254", "never", "linkLocal"],
  ["::ffff:a9fe:a9fe", "never", "ipv4Mapped(linkLocal)"],
  ["100.100.100.200", "never", "metadata"],
  ["fd00:ec2::254", "never", "metadata"],
  ["fe80::1", "never", "linkLocal"],
  ["0.0.0.0", "never", "unspecified"],
  ["::", "never", "unspecified"],
  ["255.255.255.255", "never", "broadcast"],
  ["224.0.0.1", "never", "multicast"],
  ["ff02::1", "never", "multicast"],
  ["240.0.0.1", "never", "reserved"],
  ["2001:db8::1", "never", "reserved"],
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "never", "teredo"],
  ["::7f00:1", "never", "ipv4Compatible"],
  ["::808:808", "never", "ipv4Compatible"],
  ["::2", "never", "ipv4Compatible"],
  // Read as the URL standard writes it (::7f00:1), not as ipaddr.js would (mapped).
  ["::127.0.0.1", "never", "ipv4Compatible"],
  ["not-an-ip", "never", "invalid"],
  ["1.2.3", "never", "invalid"],
  ["::gggg", "never", "invalid"],
  ["[::1]", "never", "invalid"],
  ["fe80::1%eth0", "never", "invalid"],
];

test("each address's tier and the range a refusal names", () => {
  expect(CASES.map(([a]) => [a, classifyAddress(a).tier, classifyAddress(a).range])).toEqual(CASES);
});

test("public is for anyone, the LAN for LAN reach only, never for nobody", () => {
  expect([reachable("public", "public"), reachable("public", "lan")]).toEqual([true, true]);
  expect([reachable("lan", "public"), reachable("lan", "lan")]).toEqual([false, true]);
  expect([reachable("never", "public"), reachable("never", "lan")]).toEqual([false, false]);
});
