// The outbound guard's rules, hop by hop, with the transport observed (server/net/outbound-fetch.ts):
// what is dialled (the checked address, bracketed for IPv6) and how (Host and TLS name of the URL's
// name, redirects never followed by the runtime), each refusal's code and words, names that do not
// resolve, and what a redirect does to the method, the body and the headers. (outbound-fetch.test.ts
// runs the guard against real servers.)
import { describe, expect, test } from "bun:test";
import { checkedAddress, outboundFetch, type Resolver, systemResolver, type Transport } from "../../../server/net/outbound-fetch.ts";
import { refusalOfAsync } from "../../helpers/refusal.ts";

interface Dialled {
  target: string;
  method: string;
  host: string | null;
  headers: Record<string, string>;
  body: unknown;
  redirect: RequestRedirect | undefined;
  tls: unknown;
}

/** A transport that answers each hop from `answers` (by path) and records what it was asked to dial. */
function observed(answers: Record<string, () => Response> = {}) {
  const dialled: Dialled[] = [];
  const cancelled: string[] = [];
  const transport: Transport = async (target, init) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    dialled.push({ target: target.href, method: init.method ?? "GET", host: headers.host ?? null, headers, body: init.body, redirect: init.redirect, tls: (init as { tls?: unknown }).tls });
    const res = (answers[target.pathname] ?? (() => new Response("ok")))();
    if (res.body) {
      const path = target.pathname;
      const reader = res.body.getReader();
      return new Response(
        new ReadableStream({
          pull: async (c) => {
            const { done, value } = await reader.read();
            done ? c.close() : c.enqueue(value);
          },
          cancel: () => void cancelled.push(path),
        }),
        { status: res.status, headers: res.headers },
      );
    }
    return res;
  };
  return { dialled, cancelled, transport };
}
const names: Resolver = async (name) => ({ "api.example.com": ["93.184.216.34"], "v6.example.com": ["2606:4700:4700::1111"], "mixed.example.com": ["93.184.216.34", "10.0.0.7"] })[name] ?? [];
const redirect = (status: number, location: string) => () => new Response("moved", { status, headers: { location } });

describe("what is dialled", () => {
  test("the checked address, with the URL's name as Host and as the TLS server name; the runtime never follows a redirect", async () => {
    const o = observed();
    await outboundFetch("public", names, o.transport)("https://api.example.com:8443/v1/models?x=1");
    await outboundFetch("public", names, o.transport)("http://v6.example.com/a");
    await outboundFetch("public", names, o.transport)("https://[2606:4700:4700::1111]/b");
    expect(o.dialled.map((d) => [d.target, d.host, d.tls, d.redirect])).toEqual([
      ["https://93.184.216.34:8443/v1/models?x=1", "api.example.com:8443", { serverName: "api.example.com" }, "manual"],
      ["http://[2606:4700:4700::1111]/a", "v6.example.com", undefined, "manual"],
      // An address in the URL has no name to give TLS.
      ["https://[2606:4700:4700::1111]/b", "[2606:4700:4700::1111]", undefined, "manual"],
    ]);
  });

  test("checkedAddress: an address as it is; a name's first answer; every answer checked", async () => {
    expect(await checkedAddress(new URL("http://[::ffff:808:808]/"), "public", names)).toBe("::ffff:808:808");
    expect(await checkedAddress(new URL("http://api.example.com/"), "public", async () => ["93.184.216.34", "93.184.216.35"])).toBe("93.184.216.34");
    expect(await refusalOfAsync(checkedAddress(new URL("http://mixed.example.com/"), "public", names))).toEqual({
      status: 403,
      code: "private_address_refused",
      message: "mixed.example.com resolves to 10.0.0.7 is a local address (private); only the Owner and Admins may use servers on the LAN",
      extra: { host: "mixed.example.com", address: "10.0.0.7", range: "private" },
    });
  });
});

test("the system resolver gives every address of a name (localhost, from /etc/hosts: no network)", async () => {
  const addresses = await systemResolver("localhost");
  expect(addresses).toContain("127.0.0.1");
  expect(addresses.every((a) => typeof a === "string")).toBe(true);
});

describe("refusals", () => {
  const fetchPublic = outboundFetch("public", names, observed().transport);
  test("a local address, for public reach; a range nobody may reach, for any reach — each named", async () => {
    expect(await refusalOfAsync(fetchPublic("http://192.168.1.10/"))).toEqual({
      status: 403,
      code: "private_address_refused",
      message: "192.168.1.10 is a local address (private); only the Owner and Admins may use servers on the LAN",
      extra: { host: "192.168.1.10", address: "192.168.1.10", range: "private" },
    });
    expect(await refusalOfAsync(outboundFetch("lan", names)("http://169.254.169.254/latest"))).toEqual({
      status: 403,
      code: "private_address_refused",
      message: "169.254.169.254 is in a range the node never connects to on a user's behalf (linkLocal)",
      extra: { host: "169.254.169.254", address: "169.254.169.254", range: "linkLocal" },
    });
  });

  test("a name that does not resolve, or resolves to nothing", async () => {
    const broken = outboundFetch("public", async () => {
      throw new Error("ENOTFOUND");
    });
    for (const f of [broken, fetchPublic])
      expect(await refusalOfAsync(f("http://nowhere.example/"))).toEqual({ status: 502, code: "host_not_found", message: "nowhere.example could not be resolved", extra: { host: "nowhere.example" } });
  });

  test("other schemes, and credentials in the URL", async () => {
    expect(await refusalOfAsync(fetchPublic("file:///etc/passwd"))).toMatchObject({ code: "unsupported_url", message: "Only http and https URLs can be fetched, not file:" });
    for (const url of ["http://user@api.example.com/", "http://:pw@api.example.com/"])
      expect(await refusalOfAsync(fetchPublic(url))).toMatchObject({ code: "unsupported_url", message: "URLs with a user name or password are not fetched" });
  });
});

describe("redirects", () => {
  test("followed to the fifth; the sixth is refused; each one's body is cancelled", async () => {
    const hops = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`/r${i}`, redirect(302, `/r${i + 1}`)]));
    const o = observed({ ...hops, "/r5": () => new Response("five") });
    const res = await outboundFetch("public", names, o.transport)("http://api.example.com/r0");
    expect(await res.text()).toBe("five");
    expect(o.cancelled).toEqual(["/r0", "/r1", "/r2", "/r3", "/r4"]);
    const six = observed(hops);
    expect(await refusalOfAsync(outboundFetch("public", names, six.transport)("http://api.example.com/r0"))).toMatchObject({
      code: "too_many_redirects",
      message: "http://api.example.com redirected more than 5 times",
    });
    expect(six.dialled).toHaveLength(6);
  });

  test("manual: the redirect itself is the answer; error: refused; a 3xx without Location is an answer", async () => {
    const o = observed({ "/a": redirect(301, "/b"), "/c": () => new Response(null, { status: 304 }) });
    const f = outboundFetch("public", names, o.transport);
    const manual = await f("http://api.example.com/a", { redirect: "manual" });
    expect([manual.status, manual.headers.get("location")]).toEqual([301, "/b"]);
    expect(await refusalOfAsync(f("http://api.example.com/a", { redirect: "error" }))).toEqual({
      status: 502,
      code: "redirect_refused",
      message: "api.example.com answered with a redirect",
      extra: { host: "api.example.com" },
    });
    expect((await f("http://api.example.com/c")).status).toBe(304);
    expect((await f("http://api.example.com/d")).status).toBe(200);
    expect(o.dialled.map((d) => new URL(d.target).pathname)).toEqual(["/a", "/a", "/c", "/d"]);
  });

  test("a redirect is a 300–399 with a Location: 300 and 399 are followed, 299 and 400 with a Location are answers", async () => {
    for (const [status, followed] of [
      [299, false],
      [300, true],
      [399, true],
      [400, false],
    ] as const) {
      const o = observed({ "/a": () => new Response(status === 300 || status === 399 ? null : "body", { status, headers: { location: "/b" } }) });
      const res = await outboundFetch("public", names, o.transport)("http://api.example.com/a");
      expect([status, res.status, o.dialled.length]).toEqual([status, followed ? 200 : status, followed ? 2 : 1]);
    }
  });

  test("303 turns anything but HEAD into a body-less GET; 301 and 302 turn only POST into one; 307 and 308 keep all", async () => {
    // [status, method, then: method, body, content-type]
    const cases: [number, string, string, string | null, string | null][] = [
      [303, "POST", "GET", null, null],
      [303, "PUT", "GET", null, null],
      [303, "GET", "GET", null, null],
      [303, "HEAD", "HEAD", null, "text/plain"],
      [301, "POST", "GET", null, null],
      [302, "post", "GET", null, null],
      [301, "GET", "GET", null, "text/plain"],
      [302, "PUT", "PUT", "x=1", "text/plain"],
      [307, "POST", "POST", "x=1", "text/plain"],
      [308, "POST", "POST", "x=1", "text/plain"],
    ];
    for (const [status, method] of cases) {
      const o = observed({ "/from": redirect(status, "/to") });
      const body = method === "HEAD" || method === "GET" ? undefined : "x=1";
      await outboundFetch("public", names, o.transport)("http://api.example.com/from", { method, body, headers: { "content-type": "text/plain", "x-keep": "1" } });
      const second = o.dialled[1]!;
      expect([status, method, second.method, second.body ?? null, second.headers["content-type"] ?? null, second.headers["x-keep"]]).toEqual([
        ...cases.find((c) => c[0] === status && c[1] === method)!,
        "1",
      ]);
    }
  });

  test("a streamed body cannot be sent again: a redirect that keeps the method is refused; one to GET drops it", async () => {
    const stream = () => new ReadableStream({ pull: (c) => (c.enqueue(new Uint8Array([1])), c.close()) });
    const keep = observed({ "/up": redirect(307, "/there") });
    expect(await refusalOfAsync(outboundFetch("public", names, keep.transport)("http://api.example.com/up", { method: "PUT", body: stream(), duplex: "half" } as RequestInit))).toEqual({
      status: 502,
      code: "redirect_refused",
      message: "api.example.com redirected a streamed request",
      extra: { host: "api.example.com" },
    });
    const toGet = observed({ "/up": redirect(303, "/there") });
    await outboundFetch("public", names, toGet.transport)("http://api.example.com/up", { method: "PUT", body: stream(), duplex: "half" } as RequestInit);
    expect(toGet.dialled.map((d) => [d.method, d.body ?? null])).toEqual([
      ["PUT", expect.any(ReadableStream)],
      ["GET", null],
    ]);
  });

  test("credentials stay with their origin: dropped when a redirect leaves it (even for the same host on another port), kept within it", async () => {
    const o = observed({ "/out": redirect(302, "http://api.example.com:8080/in"), "/in": redirect(302, "http://api.example.com/home") });
    const creds = { authorization: "Bearer t", cookie: "s=1", "proxy-authorization": "Basic x", "x-other": "kept" };
    await outboundFetch("public", names, o.transport)("http://api.example.com/out", { headers: creds });
    expect(o.dialled.map((d) => [new URL(d.target).pathname, d.headers.authorization ?? null, d.headers.cookie ?? null, d.headers["proxy-authorization"] ?? null, d.headers["x-other"]])).toEqual([
      ["/out", "Bearer t", "s=1", "Basic x", "kept"],
      ["/in", null, null, null, "kept"],
      ["/home", null, null, null, "kept"],
    ]);
    const same = observed({ "/a": redirect(307, "/b") });
    await outboundFetch("public", names, same.transport)("http://api.example.com/a", { headers: creds });
    expect(same.dialled[1]!.headers.authorization).toBe("Bearer t");
  });

  test("each hop is checked again: a redirect to a name that resolves locally is refused", async () => {
    const o = observed({ "/go": redirect(302, "http://mixed.example.com/") });
    expect(await refusalOfAsync(outboundFetch("public", names, o.transport)("http://api.example.com/go"))).toMatchObject({
      code: "private_address_refused",
      extra: { host: "mixed.example.com", address: "10.0.0.7" },
    });
    expect(o.dialled).toHaveLength(1);
  });
});
