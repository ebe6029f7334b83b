// Address classes for outbound requests: every spelling of a private address is caught, including
// the IPv6 embeddings that URL parsing produces (hex-mapped, NAT64, 6to4, SIIT, compatible).
import { expect, test } from "bun:test";
import { classifyAddress } from "../../../server/net/address-class.ts";

const tiers = (list: string[]) => list.map((a) => [a, classifyAddress(a).tier]);

test("public unicast addresses, plain and embedded", () => {
  const list = ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:808:808", "64:ff9b::808:808", "2002:808:808::1", "::ffff:0:808:808"];
  expect(tiers(list)).toEqual(list.map((a) => [a, "public"]));
});

test("loopback, private, CGNAT and unique-local are LAN, in every spelling", () => {
  const list = [
    "127.0.0.1",
    "127.255.0.9",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.0.1",
    "100.64.0.1",
    "::1",
    "fd00::1",
    "fc12::9",
    // what new URL() makes of [::ffff:127.0.0.1] and [::ffff:10.0.0.1]: the reported bypass
    "::ffff:7f00:1",
    "::ffff:a00:1",
    "::ffff:127.0.0.1",
    "2002:7f00:1::1",
    "2002:c0a8:101::",
    "::ffff:0:7f00:1",
    "64:ff9b::7f00:1",
    "64:ff9b:1::808:808",
  ];
  expect(tiers(list)).toEqual(list.map((a) => [a, "lan"]));
});

test("link-local and metadata, multicast, broadcast, unspecified, reserved and tunnels are never dialled", () => {
  const list = [
    "169.254.169.254",
    "::ffff:a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "2002:a9fe:a9fe::1",
    "100.100.100.200",
    "fd00:ec2::254",
    "fe80::1",
    "fe80::1:2",
    "0.0.0.0",
    "::",
    "::ffff:0.0.0.0",
    "255.255.255.255",
    "224.0.0.1",
    "ff02::1",
    "240.0.0.1",
    "192.0.2.1",
    "198.18.0.1",
    "fec0::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
    "::7f00:1",
    "::808:808", // IPv4-compatible (deprecated)
    "not-an-ip",
    "1.2.3",
    "::gggg",
  ];
  expect(tiers(list)).toEqual(list.map((a) => [a, "never"]));
});
