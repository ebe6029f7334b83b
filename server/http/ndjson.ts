// Streamed NDJSON responses (one JSON object per line, flushed as written): AI tokens, pull progress.
import { toAppError } from "../errors.ts";

export type LineWriter = (line: unknown) => void;

/**
 * Run `work` and stream what it writes. Errors that happen before the first line are thrown (the
 * caller answers with a normal JSON error); later ones end the stream with an `errorLine`.
 */
export async function ndjson(work: (write: LineWriter, started: () => void) => Promise<unknown>, errorLine: (e: { code: string; message: string }) => unknown): Promise<Response> {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: () => void (closed = true),
  });
  const write: LineWriter = (line) => {
    if (!closed) controller.enqueue(encoder.encode(JSON.stringify(line) + "\n"));
  };
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = work(write, markStarted);
  // Whichever comes first: the work fails up front (thrown to the caller), or it starts streaming.
  await Promise.race([started, done]);
  void done
    .catch((err: unknown) => {
      const e = toAppError(err);
      write(errorLine({ code: e.code, message: e.message }));
    })
    .finally(() => {
      if (!closed) controller.close(), (closed = true);
    });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" } });
}
