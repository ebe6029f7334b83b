// Where a shared file can be opened, best first: public addresses, then the LAN, then the address the
// request came in on — loopback always last, since it works only on the node's own machine.
import { expect, test } from "bun:test";
import { networkInterfaces } from "node:os";
import { shareLinks } from "../../../server/services/files/share-links.ts";

const lan = Object.values(networkInterfaces())
  .flatMap((l) => l ?? [])
  .filter((i) => !i.internal && i.family === "IPv4")
  .map((i) => i.address);

test("the public name first, then each LAN address on the request's port, then the request's own address", () => {
  const links = shareLinks("bafyabc", "http://127.0.0.1:4200/api/files/share", { listenHost: "0.0.0.0", publicBases: () => ["https://alice.pc2.example", "http://alice.pc2.example"] });
  expect(links.slice(0, 2)).toEqual([
    { kind: "public", url: "https://alice.pc2.example/ipfs/bafyabc" },
    { kind: "public", url: "http://alice.pc2.example/ipfs/bafyabc" },
  ]);
  expect(links.slice(2, 2 + lan.length)).toEqual(lan.map((ip) => ({ kind: "lan", url: `http://${ip}:4200/ipfs/bafyabc` })));
  expect(links.at(-1)).toEqual({ kind: "this-address", url: "http://127.0.0.1:4200/ipfs/bafyabc" });
});

test("a node listening on loopback only offers no LAN address; an address used twice is listed once", () => {
  expect(shareLinks("bafyabc", "http://127.0.0.1:4200/x", { listenHost: "127.0.0.1", publicBases: () => [] })).toEqual([{ kind: "this-address", url: "http://127.0.0.1:4200/ipfs/bafyabc" }]);
  const viaLan = lan[0];
  if (viaLan) {
    const links = shareLinks("bafyabc", `https://${viaLan}:8443/x`, { listenHost: "0.0.0.0", publicBases: () => [] });
    expect(links.filter((l) => l.url === `https://${viaLan}:8443/ipfs/bafyabc`)).toHaveLength(1);
  }
});
