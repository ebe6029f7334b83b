// Streaming multipart/form-data (busboy): fields and file parts in order, files never buffered whole.
import Busboy from "busboy";
import { Readable } from "node:stream";
import { AppError, BadRequestError, UnsupportedMediaTypeError } from "../errors.ts";

export type Part = { kind: "field"; name: string; value: string } | { kind: "file"; name: string; filename: string; mimeType: string; stream: Readable };

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

  let bb: Busboy.Busboy;
  try {
    bb = Busboy({
      headers: { "content-type": contentType },
      limits: { fieldSize: limits.fieldBytes, fields: limits.fields, files: limits.files, parts: limits.parts, headerPairs: 32 },
      preservePath: false,
    });
  } catch (err) {
    throw new BadRequestError(`Malformed multipart body: ${(err as Error).message}`, "invalid_multipart");
  }

  const queue: (Part | { kind: "error"; error: Error } | { kind: "end" })[] = [];
  let wake: (() => void) | null = null;
  const push = (item: (typeof queue)[number]) => {
    queue.push(item);
    wake?.();
  };
  const tooLarge = (what: string) => push({ kind: "error", error: new AppError(413, "payload_too_large", `Too many ${what} in this upload`) });

  bb.on("field", (name, value, info) => {
    if (info.valueTruncated) push({ kind: "error", error: new AppError(413, "payload_too_large", `Field "${name}" is larger than ${limits.fieldBytes} bytes`) });
    else push({ kind: "field", name, value });
  });
  let currentFile: Readable | null = null;
  bb.on("file", (name, stream, info) => {
    // Without a listener, a stream error after its reader gave up (a truncated upload) would be an
    // uncaught 'error' event and take the whole process down. Readers still see it while iterating.
    stream.on("error", () => undefined);
    currentFile = stream;
    push({ kind: "file", name, filename: info.filename ?? "", mimeType: info.mimeType, stream });
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
