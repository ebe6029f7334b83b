// multipart/form-data both ways (server/http/multipart.ts): a small body with its length declared is
// parsed whole by Bun, any other streamed through busboy. Every body here goes through both, and
// both must give the same parts in the same order — names, file names as busboy cuts them, bytes —
// and the same refusals.
import { expect, test } from "bun:test";
import { DEFAULT_MULTIPART_LIMITS, type MultipartLimits, multipartParts, SMALL_BODY_BYTES } from "../../server/http/multipart.ts";

const BOUNDARY = "test-boundary-7f3a";

type RawPart = { name: string; filename?: string; type?: string; body: string | Uint8Array };

function encode(parts: RawPart[], end = `--${BOUNDARY}--\r\n`): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const pieces: Uint8Array[] = [];
  for (const p of parts) {
    const filename = p.filename === undefined ? "" : `; filename="${p.filename}"`;
    const type = p.type ? `\r\ncontent-type: ${p.type}` : "";
    pieces.push(enc.encode(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="${p.name}"${filename}${type}\r\n\r\n`));
    pieces.push(typeof p.body === "string" ? enc.encode(p.body) : p.body);
    pieces.push(enc.encode("\r\n"));
  }
  pieces.push(enc.encode(end));
  return new Uint8Array(Buffer.concat(pieces));
}

/** The same bytes as a request of declared length (parsed whole) and as a stream of no declared length (busboy). */
function bothWays(body: Uint8Array<ArrayBuffer>): { whole: Request; streamed: Request } {
  const headers = { "content-type": `multipart/form-data; boundary=${BOUNDARY}` };
  const whole = new Request("http://node.test/write", { method: "POST", headers: { ...headers, "content-length": String(body.byteLength) }, body });
  const streamed = new Request("http://node.test/write", {
    method: "POST",
    headers,
    // In two pieces, so that a part may be cut across them.
    body: new ReadableStream({
      start(c) {
        c.enqueue(body.subarray(0, body.byteLength >> 1));
        c.enqueue(body.subarray(body.byteLength >> 1));
        c.close();
      },
    }),
  });
  return { whole, streamed };
}

/** Every part, its bytes read; or how it was refused. */
async function parse(request: Request, limits?: MultipartLimits): Promise<unknown> {
  const out: unknown[] = [];
  try {
    for await (const part of multipartParts(request, limits)) {
      if (part.kind === "field") out.push(["field", part.name, part.value]);
      else if (part.kind === "file") {
        const chunks: Uint8Array[] = [];
        for await (const c of part.stream) chunks.push(c);
        out.push(["file", part.name, part.filename, Buffer.concat(chunks).toString("hex")]);
      } else out.push(["a part of neither kind", part]);
    }
  } catch (err) {
    const e = err as { status?: number; code: string; message: string };
    // A streamed file's own failure is a plain error (the blob store makes it upload_interrupted, 400).
    if (e.status === undefined) out.push(["file failed", e.message]);
    // (The parser's own words after the prefix differ between Bun's parser and busboy.)
    else out.push(["refused", e.status, e.code, e.code === "invalid_multipart" ? `${e.message.slice(0, e.message.indexOf(":") + 1)} (parser's words)` : e.message]);
  }
  return out;
}

async function sameBothWays(body: Uint8Array<ArrayBuffer>, limits?: MultipartLimits): Promise<unknown> {
  const { whole, streamed } = bothWays(body);
  const [a, b] = [await parse(whole, limits), await parse(streamed, limits)];
  expect(a).toEqual(b);
  return a;
}

test("fields and files in order; file names cut to their last segment (never . or ..), read as UTF-8; an empty file name is a field; an empty file has no bytes", async () => {
  const bytes = new Uint8Array([0, 1, 2, 255, 13, 10, 45, 45]);
  const parts = await sameBothWays(
    encode([
      { name: "path", body: "~/Documents" },
      { name: "name", body: "ünïcode name ✓" },
      { name: "file", filename: "photo.jpg", type: "image/jpeg", body: bytes },
      { name: "file", filename: "some/dir/a.txt", body: "a" },
      { name: "file", filename: "c:\\Users\\me\\b.txt", body: "b" },
      { name: "file", filename: "..", body: "dots" },
      { name: "file", filename: "a/.", body: "dot" },
      { name: "file", filename: "日本語.txt", type: "text/plain;charset=utf-8", body: "ja" },
      { name: "file", filename: "empty.bin", body: "" },
      { name: "notes", filename: "", body: "a field after all" },
    ]),
  );
  expect(parts).toEqual([
    ["field", "path", "~/Documents"],
    ["field", "name", "ünïcode name ✓"],
    ["file", "file", "photo.jpg", "000102ff0d0a2d2d"],
    ["file", "file", "a.txt", "61"],
    ["file", "file", "b.txt", "62"],
    ["file", "file", "", "646f7473"],
    ["file", "file", "", "646f74"],
    ["file", "file", "日本語.txt", "6a61"],
    ["file", "file", "empty.bin", ""],
    ["field", "notes", "a field after all"],
  ]);
});

test("the limits: fields, files and parts one past their count, and a field one byte past its size, are refused alike (413, in order after what came before)", async () => {
  const limits = { fieldBytes: 8, fields: 2, files: 1, parts: 3 };
  const field = (name: string, body = "v") => ({ name, body });
  const file = (filename: string) => ({ name: "file", filename, body: "x" });
  expect(await sameBothWays(encode([field("a", "12345678"), field("b")]), limits)).toEqual([
    ["field", "a", "12345678"],
    ["field", "b", "v"],
  ]);
  expect(await sameBothWays(encode([field("a"), field("b", "123456789")]), limits)).toEqual([
    ["field", "a", "v"],
    ["refused", 413, "payload_too_large", 'Field "b" is larger than 8 bytes'],
  ]);
  expect(await sameBothWays(encode([field("a"), field("b"), field("c")]), limits)).toEqual([
    ["field", "a", "v"],
    ["field", "b", "v"],
    ["refused", 413, "payload_too_large", "Too many fields in this upload"],
  ]);
  expect(await sameBothWays(encode([file("1"), file("2")]), limits)).toEqual([
    ["file", "file", "1", "78"],
    ["refused", 413, "payload_too_large", "Too many files in this upload"],
  ]);
  expect(await sameBothWays(encode([field("a"), field("b"), file("1"), field("c")]), limits)).toEqual([
    ["field", "a", "v"],
    ["field", "b", "v"],
    ["file", "file", "1", "78"],
    ["refused", 413, "payload_too_large", "Too many parts in this upload"],
  ]);
});

test("a body cut off fails (parsed whole: refused, 400; streamed: its file part fails as read); garbage or no boundary is a 400 (invalid_multipart) either way; not multipart at all is a 415", async () => {
  const cut = encode([{ name: "file", filename: "a.txt", body: "hello" }], "");
  // Parsed whole, it is refused before any part; streamed, its file part fails as it is read.
  const { whole, streamed } = bothWays(cut.subarray(0, cut.byteLength - 4));
  expect(await parse(whole)).toEqual([["refused", 400, "invalid_multipart", "Malformed multipart body: (parser's words)"]]);
  expect(await parse(streamed)).toEqual([["file failed", "Unexpected end of form"]]);
  expect(await sameBothWays(new TextEncoder().encode("not multipart at all"))).toEqual([["refused", 400, "invalid_multipart", "Malformed multipart body: (parser's words)"]]);
  const noBoundary = new Request("http://node.test/write", { method: "POST", headers: { "content-type": "multipart/form-data", "content-length": "5" }, body: "hello" });
  expect(await parse(noBoundary)).toEqual([["refused", 400, "invalid_multipart", "Malformed multipart body: (parser's words)"]]);
  // Without a boundary, streamed too (busboy refuses to start).
  const noBoundaryStreamed = new Request("http://node.test/write", { method: "POST", headers: { "content-type": "multipart/form-data" }, body: new Blob(["hello"]).stream() });
  expect(await parse(noBoundaryStreamed)).toEqual([["refused", 400, "invalid_multipart", "Malformed multipart body: (parser's words)"]]);
  const json = new Request("http://node.test/write", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect(await parse(json)).toEqual([["refused", 415, "unsupported_media_type", "Content-Type application/json is not accepted here"]]);
  const untyped = new Request("http://node.test/write", { method: "POST", body: "{}" });
  untyped.headers.delete("content-type");
  expect(await parse(untyped)).toEqual([["refused", 415, "unsupported_media_type", "Content-Type (none) is not accepted here"]]);
  const empty = new Request("http://node.test/write", { method: "POST", headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` } });
  expect(await parse(empty)).toEqual([["refused", 400, "bad_request", "The request has no body"]]);
});

test("a file as large as a small body may be, and one past it (streamed), arrive whole", async () => {
  for (const size of [SMALL_BODY_BYTES - 300, SMALL_BODY_BYTES + 1]) {
    const bytes = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
    const body = encode([{ name: "file", filename: "big.bin", body: bytes }]);
    const [kind, , name, hex] = ((await sameBothWays(body)) as [string, string, string, string][])[0]!;
    expect([kind, name, hex!.length / 2]).toEqual(["file", "big.bin", size]);
    expect(hex).toBe(Buffer.from(bytes).toString("hex"));
  }
  expect(DEFAULT_MULTIPART_LIMITS.fieldBytes).toBeGreaterThan(SMALL_BODY_BYTES);
});

test("a body of exactly the small size is parsed whole (a cut one is refused before any part); one byte more is streamed (its file fails as read)", async () => {
  const cutAt = (size: number) => {
    const body = encode([{ name: "file", filename: "a.bin", body: new Uint8Array(size) }], "");
    return body.subarray(0, body.byteLength - 4);
  };
  // Bodies of exactly SMALL_BODY_BYTES and one more, each cut short before its end.
  const exact = cutAt(SMALL_BODY_BYTES - (cutAt(0).byteLength - 0));
  expect(exact.byteLength).toBe(SMALL_BODY_BYTES);
  expect(await parse(bothWays(exact).whole)).toEqual([["refused", 400, "invalid_multipart", "Malformed multipart body: (parser's words)"]]);
  const over = cutAt(SMALL_BODY_BYTES - cutAt(0).byteLength + 1);
  expect(over.byteLength).toBe(SMALL_BODY_BYTES + 1);
  expect(await parse(bothWays(over).whole)).toEqual([["file failed", "Unexpected end of form"]]);
});

test("a file part its reader skips is drained either way: the parts after it still arrive", async () => {
  const body = encode([
    { name: "skipped", filename: "big.bin", body: new Uint8Array(SMALL_BODY_BYTES + 10) },
    { name: "after", body: "still here" },
  ]);
  for (const request of [bothWays(body).whole, bothWays(body).streamed]) {
    const seen: string[] = [];
    const reading = (async () => {
      for await (const part of multipartParts(request)) seen.push(part.kind === "field" ? `${part.name}=${part.value}` : `file ${part.name}`);
    })();
    const outcome = await Promise.race([reading.then(() => "done"), Bun.sleep(5000).then(() => "stalled")]);
    expect([outcome, seen]).toEqual(["done", ["file skipped", "after=still here"]]);
  }
});

test("a small body whose client goes away before it is all here is refused as client_aborted (a real server, a real socket)", async () => {
  let outcome!: Promise<unknown>;
  let arrived!: () => void;
  const handled = new Promise<void>((resolve) => (arrived = resolve));
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      outcome = parse(request);
      arrived();
      return outcome.then(() => new Response("done"));
    },
  });
  try {
    const head = encode([{ name: "file", filename: "a.bin", body: "" }], "").subarray(0, -2);
    const socket = await Bun.connect({ hostname: "127.0.0.1", port: server.port!, socket: { data() {} } });
    socket.write(`POST /write HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: 5000\r\n\r\n`);
    socket.write(head);
    await handled;
    await Bun.sleep(20);
    socket.end();
    expect(await Promise.race([outcome, Bun.sleep(5000).then(() => "waited forever")])).toEqual([["refused", 400, "client_aborted", "Upload interrupted: the client disconnected"]]);
  } finally {
    server.stop(true);
  }
});

test("a streamed body whose client goes away mid-file: the file part fails (the blob store's upload_interrupted), and its reader does not wait forever", async () => {
  const abort = new AbortController();
  const head = encode([{ name: "file", filename: "a.bin", body: "" }], "").subarray(0, -2);
  const request = new Request("http://node.test/write", {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
    signal: abort.signal,
    // The head and the start of the file, then nothing more: the client is gone.
    body: new ReadableStream({
      start(c) {
        c.enqueue(head);
        c.enqueue(new Uint8Array(1000).fill(1));
      },
    }),
  });
  const outcome = (async () => {
    try {
      for await (const part of multipartParts(request)) {
        if (part.kind !== "file") continue;
        setTimeout(() => abort.abort(), 20);
        for await (const _ of part.stream) {
          // reading until the client goes
        }
      }
      return "ended";
    } catch (err) {
      return (err as Error).message;
    }
  })();
  expect(await Promise.race([outcome, Bun.sleep(5000).then(() => "waited forever")])).toBe("the client disconnected");
});

test("a reader that stops early releases the body: the stream is cancelled", async () => {
  let cancelled = false;
  const body = encode([
    { name: "first", body: "1" },
    { name: "file", filename: "big.bin", body: new Uint8Array(SMALL_BODY_BYTES + 10) },
  ]);
  const request = new Request("http://node.test/write", {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
    body: new ReadableStream({
      start(c) {
        c.enqueue(body.subarray(0, 1000));
      },
      cancel() {
        cancelled = true;
      },
    }),
  });
  for await (const part of multipartParts(request)) if (part.kind === "field") break;
  await Bun.sleep(10);
  expect(cancelled).toBe(true);
});

test("a streamed body: a client gone between parts, a body that breaks, and a request already aborted are each refused (400), not left waiting", async () => {
  const streamedRequest = (body: ReadableStream<Uint8Array>, signal?: AbortSignal) =>
    new Request("http://node.test/write", { method: "POST", headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` }, body, signal });
  const bounded = (p: Promise<unknown>) => Promise.race([p, Bun.sleep(5000).then(() => "waited forever")]);
  // A field, then the next part's delimiter (the field is whole once the delimiter is seen), then nothing.
  const firstField = encode([{ name: "path", body: "~" }], `--${BOUNDARY}\r\n`);

  // Gone after the first field, before the next part's head: the reader waiting for it is told.
  const abort = new AbortController();
  const between = parse(
    streamedRequest(
      new ReadableStream({
        start(c) {
          c.enqueue(firstField);
        },
      }),
      abort.signal,
    ),
  );
  setTimeout(() => abort.abort(), 30);
  expect(await bounded(between)).toEqual([
    ["field", "path", "~"],
    ["refused", 400, "client_aborted", "Upload interrupted: the client disconnected"],
  ]);

  // The body stream itself fails (the connection broke).
  const broken = parse(
    streamedRequest(
      new ReadableStream({
        start(c) {
          c.enqueue(firstField);
          setTimeout(() => c.error(new Error("connection reset")), 30);
        },
      }),
    ),
  );
  expect(await bounded(broken)).toEqual([
    ["field", "path", "~"],
    ["refused", 400, "client_aborted", "Upload interrupted: connection reset"],
  ]);

  // Aborted before the parser began.
  const gone = new AbortController();
  gone.abort();
  const late = parse(
    streamedRequest(
      new ReadableStream({
        start(c) {
          c.enqueue(firstField);
        },
      }),
      gone.signal,
    ),
  );
  expect(await bounded(late)).toEqual([["refused", 400, "client_aborted", "Upload interrupted: the client disconnected"]]);
});
