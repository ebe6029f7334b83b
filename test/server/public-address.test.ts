// Which addresses count as private (refused to Members as AI provider hosts).
import { expect, test } from "bun:test";
import { isPrivateIp, isPublicUrl } from "../../server/http/public-address.ts";

test("loopback, private, link-local, CGNAT, multicast and IPv6 local ranges are private", () => {
  for (const ip of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fd00::1", "fe80::1", "::ffff:127.0.0.1"]) expect([ip, isPrivateIp(ip)]).toEqual([ip, true]);
  for (const ip of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111"]) expect([ip, isPrivateIp(ip)]).toEqual([ip, false]);
});

test("URLs: IP literals are judged directly; names by what they resolve to", async () => {
  expect(await isPublicUrl("http://127.0.0.1:9/v1")).toBe(false);
  expect(await isPublicUrl("http://[::1]/v1")).toBe(false);
  expect(await isPublicUrl("https://8.8.8.8/v1")).toBe(true);
  expect(await isPublicUrl("http://localhost/v1")).toBe(false);
  expect(await isPublicUrl("not a url")).toBe(false);
});
