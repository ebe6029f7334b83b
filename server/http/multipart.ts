// multipart/form-data: fields and file parts in order. A body of up to SMALL_BODY_BYTES (declared)
// is parsed whole by Bun's own parser; any other is streamed through busboy, its files never
// buffered whole. Both give the same parts, names and refusals (test/server/multipart.test.ts).
import Busboy from "busboy";
import { Readable } from "node:stream";
import { AppError, BadRequestError, UnsupportedMediaTypeError } from "../errors.ts";

/** A file part's bytes, read in order (once). */
export type PartBytes = AsyncIterable<Uint8Array>;

export type Part = { kind: "field"; name: string; value: string } | { kind: "file"; name: string; filename: string; stream: PartBytes };

/**
 * Bodies up to this size (most uploads: a 1 KiB file's is ~600 bytes of headers more) are parsed
 * whole by Bun's native parser: ~6× less work than busboy's streams for a small upload, and no more
 * memory than the small body the blob store holds whole anyway.
 */
export const SMALL_BODY_BYTES = 256 * 1024;

export interface MultipartLimits {
  fieldBytes: number;
  fields: number;
  files: number;
  parts: number;
}

export const DEFAULT_MULTIPART_LIMITS: MultipartLimits = { fieldBytes: 1024 * 1024, fields: 256, files: 64, parts: 320 };

/**
 * Yield each part as it arrives. The caller must consume (or resume) a file part's stream before
 * asking for the next part; the upload is back-pressured to its pace.
 */
export async function* multipartParts(request: Request, limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS): AsyncGenerator<Part> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) throw new UnsupportedMediaTypeError(contentType);
  if (!request.body) throw new BadRequestError("The request has no body");
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared <= SMALL_BODY_BYTES) yield* wholeParts(request, limits);
  else yield* streamedParts(request, contentType, limits);
}

const tooMany = (what: string) => new AppError(413, "payload_too_large", `Too many ${what} in this upload`);
const fieldTooLarge = (name: string, limit: number) => new AppError(413, "payload_too_large", `Field "${name}" is larger than ${limit} bytes`);

/** A file name as busboy gives it: the last segment of any path, never "." or "..". */
function baseName(name: string): string {
  const last = name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
  return last === "." || last === ".." ? "" : last;
}

async function* once(file: Blob): PartBytes {
  if (file.size > 0) yield new Uint8Array(await file.arrayBuffer());
}

/** A small body, parsed whole: its parts in order, checked against the same limits. */
async function* wholeParts(request: Request, limits: MultipartLimits): AsyncGenerator<Part> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch (err) {
    if (request.signal.aborted) throw new BadRequestError("Upload interrupted: the client disconnected", "client_aborted");
    throw new BadRequestError(`Malformed multipart body: ${(err as Error).message}`, "invalid_multipart");
  }
  let parts = 0;
  let fields = 0;
  let files = 0;
  for (const [name, value] of form) {
    if (++parts > limits.parts) throw tooMany("parts");
    // A part whose file name is empty is a field, as busboy has it.
    if (typeof value === "string" || !value.name) {
      if (++fields > limits.fields) throw tooMany("fields");
      const text = typeof value === "string" ? value : await value.text();
      if (Buffer.byteLength(text) > limits.fieldBytes) throw fieldTooLarge(name, limits.fieldBytes);
      yield { kind: "field", name, value: text };
    } else {
      if (++files > limits.files) throw tooMany("files");
      yield { kind: "file", name, filename: baseName(value.name), stream: once(value) };
    }
  }
}

/** A larger (or unsized) body, streamed through busboy. */
async function* streamedParts(request: Request, contentType: string, limits: MultipartLimits): AsyncGenerator<Part> {
  let bb: Busboy.Busboy;
  try {
    bb = Busboy({
      headers: { "content-type": contentType },
      // (busboy counts a field that reaches fieldSize as cut: one byte more lets exactly fieldBytes through.)
      limits: { fieldSize: limits.fieldBytes + 1, fields: limits.fields, files: limits.files, parts: limits.parts, headerPairs: 32 },
      preservePath: false,
      // Browsers send a file's name as UTF-8 (busboy would read it as Latin-1).
      defParamCharset: "utf8",
    });
  } catch (err) {
    throw new BadRequestError(`Malformed multipart body: ${(err as Error).message}`, "invalid_multipart");
  }

  // File parts keep busboy's stream, to drain one its reader skipped.
  const queue: (Extract<Part, { kind: "field" }> | (Omit<Extract<Part, { kind: "file" }>, "stream"> & { stream: Readable }) | { kind: "error"; error: Error } | { kind: "end" })[] = [];
  let wake: (() => void) | null = null;
  const push = (item: (typeof queue)[number]) => {
    queue.push(item);
    wake?.();
  };
  const tooLarge = (what: string) => push({ kind: "error", error: tooMany(what) });

  bb.on("field", (name, value, info) => {
    if (info.valueTruncated) push({ kind: "error", error: fieldTooLarge(name, limits.fieldBytes) });
    else push({ kind: "field", name, value });
  });
  let currentFile: Readable | null = null;
  bb.on("file", (name, stream, info) => {
    // Without a listener, a stream error after its reader gave up (a truncated upload) would be an
    // uncaught 'error' event and take the whole process down. Readers still see it while iterating.
    stream.on("error", () => undefined);
    currentFile = stream;
    push({ kind: "file", name, filename: info.filename ?? "", stream });
  });
  bb.on("partsLimit", () => tooLarge("parts"));
  bb.on("filesLimit", () => tooLarge("files"));
  bb.on("fieldsLimit", () => tooLarge("fields"));
  bb.on("error", (err) => push({ kind: "error", error: new BadRequestError(`Malformed multipart body: ${(err as Error).message}`, "invalid_multipart") }));
  bb.on("close", () => push({ kind: "end" }));

  const input = Readable.fromWeb(request.body as never);
  // pipe() does not carry errors forward: a failed or abandoned body must fail the parser and the
  // file being read, or the request (its temp file, open handle and import) would wait forever.
  const fail = (err: Error) => {
    push({ kind: "error", error: new BadRequestError(`Upload interrupted: ${err.message}`, "client_aborted") });
    currentFile?.destroy(err);
    bb.destroy(err);
  };
  input.on("error", fail);
  const onAbort = () => fail(new Error("the client disconnected"));
  if (request.signal.aborted) onAbort();
  request.signal.addEventListener("abort", onAbort, { once: true });
  input.pipe(bb);

  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      wake = null;
      const item = queue.shift()!;
      if (item.kind === "end") return;
      if (item.kind === "error") throw item.error;
      yield item;
      // A file stream the consumer skipped must still drain, or busboy stalls.
      if (item.kind === "file" && !item.stream.readableEnded) item.stream.resume();
    }
  } finally {
    request.signal.removeEventListener("abort", onAbort);
    input.unpipe(bb);
    input.destroy();
  }
}
