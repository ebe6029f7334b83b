// The outbound guard checks the address it actually connects to (DNS rebinding), every redirect hop,
// and drops credentials when a redirect leaves the origin.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { outboundFetch, type Resolver } from "../../../server/net/outbound-fetch.ts";
import { joinUrl, parseBaseUrl } from "../../../server/net/service-url.ts";

let target: ReturnType<typeof Bun.serve>;
let other: ReturnType<typeof Bun.serve>;
const seen: { host: string | null; auth: string | null; path: string; server: string }[] = [];

beforeAll(() => {
  other = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (r) => (seen.push({ host: r.headers.get("host"), auth: r.headers.get("authorization"), path: new URL(r.url).pathname, server: "other" }), new Response("other")),
  });
  target = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(r) {
      const url = new URL(r.url);
      seen.push({ host: r.headers.get("host"), auth: r.headers.get("authorization"), path: url.pathname, server: "target" });
      if (url.pathname === "/to-other") return Response.redirect(`http://127.0.0.1:${other.port}/landed`, 302);
      if (url.pathname === "/to-metadata") return Response.redirect("http://169.254.169.254/latest/meta-data", 302);
      if (url.pathname === "/to-self") return Response.redirect("/landed", 307);
      return new Response(`hello ${r.headers.get("host")}`);
    },
  });
});
afterAll(() => {
  target.stop(true);
  other.stop(true);
});

test("a name is resolved by the guard and the connection goes to the checked address, with the name as Host", async () => {
  const resolve: Resolver = async (name) => (name === "lan-box.test" ? ["127.0.0.1"] : []);
  const res = await outboundFetch("lan", resolve)(`http://lan-box.test:${target.port}/x`);
  expect(await res.text()).toBe(`hello lan-box.test:${target.port}`);
});

test("DNS rebinding: the address checked is the address dialled, whatever the name said before", async () => {
  let calls = 0;
  const rebinding: Resolver = async () => (calls++ === 0 ? ["93.184.216.34"] : ["127.0.0.1"]);
  const fetchPublic = outboundFetch("public", rebinding, async () => new Response("dialled a public address"));
  expect(await (await fetchPublic("http://rebind.test/v1")).text()).toBe("dialled a public address");
  const second = await fetchPublic("http://rebind.test/v1").catch((e) => e);
  expect([second.status, second.code, second.extra.address]).toEqual([403, "private_address_refused", "127.0.0.1"]);
  // A name with one private answer among public ones is refused whole.
  const mixed = await outboundFetch("public", async () => ["93.184.216.34", "::ffff:7f00:1"])("http://mixed.test/").catch((e) => e);
  expect(mixed.code).toBe("private_address_refused");
});

test("members' reach refuses every private spelling; LAN reach still refuses metadata and link-local", async () => {
  for (const url of [
    `http://127.0.0.1:${target.port}/`,
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:7f00:1::]/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://[::7f00:1]/",
  ]) {
    const err = await outboundFetch("public")(url).catch((e) => e);
    expect([url, err.code]).toEqual([url, "private_address_refused"]);
  }
  for (const url of ["http://169.254.169.254/latest/meta-data", "http://[fe80::1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://100.100.100.200/", "http://0.0.0.0/"]) {
    const err = await outboundFetch("lan")(url).catch((e) => e);
    expect([url, err.code]).toEqual([url, "private_address_refused"]);
  }
});

test("redirects: every hop is checked; credentials do not follow a redirect to another origin", async () => {
  const lan = outboundFetch("lan");
  seen.length = 0;
  expect(await (await lan(`http://127.0.0.1:${target.port}/to-other`, { headers: { authorization: "Bearer secret" } })).text()).toBe("other");
  expect(seen.map((s) => [s.server, s.auth])).toEqual([
    ["target", "Bearer secret"],
    ["other", null],
  ]);
  seen.length = 0;
  await lan(`http://127.0.0.1:${target.port}/to-self`, { headers: { authorization: "Bearer secret" } });
  expect(seen.map((s) => [s.path, s.auth])).toEqual([
    ["/to-self", "Bearer secret"],
    ["/landed", "Bearer secret"],
  ]);
  const toMetadata = await lan(`http://127.0.0.1:${target.port}/to-metadata`).catch((e) => e);
  expect(toMetadata.code).toBe("private_address_refused");
  const refused = await lan(`http://127.0.0.1:${target.port}/to-other`, { redirect: "error" }).catch((e) => e);
  expect(refused.code).toBe("redirect_refused");
  expect((await outboundFetch("lan")("ftp://127.0.0.1/").catch((e) => e)).code).toBe("unsupported_url");
  expect((await outboundFetch("lan")(`http://u:p@127.0.0.1:${target.port}/`).catch((e) => e)).code).toBe("unsupported_url");
});

test("base URLs: no query, fragment or credentials; the appended path is always a path", () => {
  expect(parseBaseUrl("https://api.example.com/v1/", "baseUrl", "x")).toBe("https://api.example.com/v1");
  for (const bad of ["https://evil.test/?x=", "https://evil.test/v1#", "https://user:pw@api.test/v1", "ftp://x/", "javascript:alert(1)", "http://a b/", "", 7]) {
    expect(() => parseBaseUrl(bad, "baseUrl", "x")).toThrow();
  }
  expect(joinUrl("https://api.example.com/v1", "/chat/completions").href).toBe("https://api.example.com/v1/chat/completions");
  expect(joinUrl("http://h:1", "/api/tags").href).toBe("http://h:1/api/tags");
});
