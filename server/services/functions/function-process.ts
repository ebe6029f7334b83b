// One running deployment of a function: its sandboxed process (sandbox-command.ts), the node's end
// of its two sockets — requests in over its HTTP socket, its outbound fetches out through the
// egress socket served here — and its limits: requests at once, body size, time per request,
// memory (the process tree's resident size, checked every 100 ms) and responsiveness (pings every
// 250 ms: a function stuck in a loop stops answering and is killed). A killed process is not
// restarted here; the pool (functions.service.ts) starts another on the next request.
import type { Subprocess } from "bun";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLIENT_HEADER, type FromFunction, KV_PATH, type LogLevel, TARGET_HEADER, type ToFunction } from "../../../workers/function-protocol.ts";
import { lines } from "../../../workers/json-lines.ts";
import { AppError, fail } from "../../errors.ts";
import { SANDBOX_BUNDLE, SANDBOX_EGRESS, SANDBOX_SOCKET, sandboxCommand } from "./sandbox-command.ts";
import { closeReason, connectFunctionSocket, type FunctionSocketRelay, type SocketAnswer } from "./function-socket.ts";

export interface FunctionLimits {
  /** Wall time for one request, headers and body, in ms. */
  wallMs: number;
  /** The process tree's resident memory, in bytes. */
  memoryBytes: number;
  /** Requests answered at once (streaming responses count until they end). */
  concurrency: number;
  /** A request body's size, in bytes. */
  bodyBytes: number;
  /** How long the event loop may stay busy (no answer to a ping) before the process is killed. */
  stallMs: number;
  /** How long the process may take to load the module and start serving. */
  startMs: number;
  /** WebSockets open at once (Deno.upgradeWebSocket). */
  sockets: number;
  /** One WebSocket message, either way, in bytes. */
  messageBytes: number;
}

/** Bytes that may wait on either side of a function's WebSocket before it is closed as a slow reader. */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export interface ProcessOptions {
  bwrap: string;
  /** The deployment's folder (bundle.js). */
  deploymentDir: string;
  env: Record<string, string>;
  limits: FunctionLimits;
  /** An outbound request from the function (its target URL in TARGET_HEADER's place), policy applied. */
  egress: (target: string, request: Request) => Promise<Response>;
  /** An operation on the function's key-value store (Deno.openKv). */
  kv: (op: unknown) => unknown;
  onLog: (level: LogLevel, message: string) => void;
  /** The process ended (the reason, or null when it was stopped on purpose). */
  onExit: (reason: string | null) => void;
}

const PING_MS = 250;
/**
 * A process stopped on purpose is first told (its input ends) and given this long to write out
 * what it logged and exit; then it is killed. Its output is read to the end either way.
 */
const STOP_GRACE_MS = 500;
/** How long a stop waits for the rest of a killed process's output. */
const DRAIN_MS = 1000;
const MEMORY_CHECK_MS = 100;
const PAGE = 4096;

/** The resident bytes of `pid` and every process below it. */
function treeRss(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      total += Number(readFileSync(`/proc/${p}/statm`, "utf8").split(" ")[1]) * PAGE;
      for (const task of readdirSync(`/proc/${p}/task`)) for (const child of readFileSync(`/proc/${p}/task/${task}/children`, "utf8").split(" ").filter(Boolean)) visit(Number(child));
    } catch {
      // Gone between the listing and the read.
    }
  };
  visit(pid);
  return total;
}

/** Requests that may wait for a free slot, per allowed concurrent request. */
const QUEUE_PER_SLOT = 4;

export class FunctionProcess {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private ended: string | null = null;
  private stopped = false;
  private lastPong = performance.now();
  private lastUsed = performance.now();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly relays = new Set<FunctionSocketRelay>();
  private readonly runDir: string;
  private readonly socket: string;
  private readonly egressServer: ReturnType<typeof Bun.serve>;
  private readonly proc: Subprocess<"pipe", "pipe", "ignore">;
  readonly ready: Promise<void>;
  /** Settles once the process's output has been read to its end (every log line it wrote, delivered). */
  private readonly drained: Promise<void>;
  private outputEnded: () => void = () => undefined;

  constructor(private readonly options: ProcessOptions) {
    // A short path of its own (a Unix socket's path has at most 107 bytes).
    this.runDir = mkdtempSync(join(tmpdir(), "pc2-fn-"));
    this.socket = join(this.runDir, "http.sock");
    this.egressServer = Bun.serve({
      unix: join(this.runDir, "egress.sock"),
      fetch: async (request) => {
        if (request.url === KV_PATH && !request.headers.has(TARGET_HEADER))
          try {
            return Response.json(options.kv(await request.json()));
          } catch (err) {
            const e = err instanceof AppError ? err : fail("invalid_request", err instanceof Error ? err.message : String(err));
            return Response.json({ error: e.message, code: e.code, message: e.message }, { status: e.status });
          }
        const target = request.headers.get(TARGET_HEADER) ?? "";
        request.headers.delete(TARGET_HEADER);
        return options.egress(target, request).catch((err: unknown) => {
          const e = err instanceof AppError ? err : fail("bad_request", err instanceof Error ? err.message : String(err));
          return Response.json({ error: e.message, code: e.code, message: e.message }, { status: e.status, headers: { "x-pc2-egress-refused": e.code } });
        });
      },
    });
    this.proc = Bun.spawn(sandboxCommand(options.bwrap, { deployment: options.deploymentDir, run: this.runDir }), {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "ignore",
      env: { PATH: "/usr/bin:/bin" },
    });
    this.drained = new Promise((resolve) => (this.outputEnded = resolve));
    this.ready = this.watch();
    void this.proc.exited.then(() => this.end(this.ended ?? "the function's process exited"));
  }

  private send(message: ToFunction): void {
    try {
      this.proc.stdin.write(JSON.stringify(message) + "\n");
      void this.proc.stdin.flush();
    } catch {
      // Already gone; `exited` reports it.
    }
  }

  private watch(): Promise<void> {
    const { limits } = this.options;
    this.send({ t: "start", bundle: SANDBOX_BUNDLE, socket: SANDBOX_SOCKET, egress: SANDBOX_EGRESS, env: this.options.env });
    return new Promise<void>((resolve, reject) => {
      const startTimer = setTimeout(() => this.kill(`it did not start serving within ${limits.startMs} ms`), limits.startMs);
      void (async () => {
        try {
          for await (const line of lines(this.proc.stdout as ReadableStream<Uint8Array>)) {
            const message = JSON.parse(line) as FromFunction;
            if (message.t === "log") this.options.onLog(message.level, message.message);
            else if (message.t === "pong") this.lastPong = performance.now();
            else if (message.t === "ready") {
              clearTimeout(startTimer);
              this.lastPong = performance.now();
              this.startWatchdogs();
              resolve();
            } else if (message.t === "failed") {
              clearTimeout(startTimer);
              this.ended = message.message;
            }
          }
        } catch {
          // Killed mid-line.
        }
        this.outputEnded();
        clearTimeout(startTimer);
        reject(fail("function_failed_to_start", `The function failed to start: ${this.ended ?? "its process exited"}`));
      })();
    });
  }

  private startWatchdogs(): void {
    const { limits } = this.options;
    let ping = 0;
    this.timers.push(
      setInterval(() => {
        if (performance.now() - this.lastPong > limits.stallMs) return this.kill(`it kept the CPU busy for over ${limits.stallMs} ms without answering (a loop?)`);
        this.send({ t: "ping", id: ++ping });
      }, PING_MS),
      setInterval(() => {
        const rss = treeRss(this.proc.pid);
        if (rss > limits.memoryBytes) this.kill(`it used ${Math.round(rss / 2 ** 20)} MiB of memory, over its limit of ${Math.round(limits.memoryBytes / 2 ** 20)} MiB`);
      }, MEMORY_CHECK_MS),
    );
  }

  get alive(): boolean {
    return this.ended === null && !this.stopped;
  }

  /** How long since the last request ended (0 while one is being answered or a socket is open). */
  idleFor(): number {
    return this.active > 0 || this.relays.size > 0 ? 0 : performance.now() - this.lastUsed;
  }

  /** A client's WebSocket request: the relay to the handler's socket, or the answer it gave instead. */
  async connect(pathAndQuery: string, headers: Headers, client: { ip: string; port: number }): Promise<SocketAnswer> {
    const { limits } = this.options;
    if (!this.alive) throw fail("function_crashed", `The function's process ended: ${this.ended ?? "stopped"}`);
    if (this.relays.size >= limits.sockets) throw fail("function_busy", `The function has ${limits.sockets} WebSockets open, its limit; try again shortly`);
    const forwarded = new Headers(headers);
    forwarded.set(CLIENT_HEADER, JSON.stringify(client));
    const answer = await connectFunctionSocket(this.socket, pathAndQuery, forwarded, { messageBytes: limits.messageBytes, bufferBytes: SOCKET_BUFFER_BYTES, handshakeMs: limits.wallMs }, (relay) => {
      this.relays.delete(relay);
      this.lastUsed = performance.now();
    });
    if ("relay" in answer) this.relays.add(answer.relay);
    return answer;
  }

  /** Hand one request to the function; the response streams back. */
  async handle(request: Request, pathAndQuery: string, client: { ip: string; port: number }): Promise<Response> {
    const { limits } = this.options;
    if (!this.alive) throw fail("function_crashed", `The function's process ended: ${this.ended ?? "stopped"}`);
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared > limits.bodyBytes) throw fail("function_body_too_large", `The request body is larger than the function's limit of ${limits.bodyBytes} bytes`);
    const signal = AbortSignal.timeout(limits.wallMs);
    await this.acquire(signal);
    const headers = new Headers(request.headers);
    headers.set(CLIENT_HEADER, JSON.stringify(client));
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.active--;
      this.lastUsed = performance.now();
      this.waiting.shift()?.();
    };
    try {
      const response = await fetch(`http://function${pathAndQuery}`, {
        unix: this.socket,
        method: request.method,
        headers,
        body: request.body ? request.body.pipeThrough(byteLimit(limits.bodyBytes)) : null,
        redirect: "manual",
        signal,
        duplex: "half",
      } as RequestInit);
      // An answer of known length is complete when its headers come (no need to watch its bytes);
      // a streamed one holds its slot until it ends.
      if (!response.body || response.headers.has("content-length")) return (release(), response);
      return new Response(untilDone(response.body, release), { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (err) {
      release();
      if (signal.aborted) throw fail("function_timeout", `The function took longer than its limit of ${limits.wallMs} ms`);
      if (err instanceof BodyLimitError) throw fail("function_body_too_large", `The request body is larger than the function's limit of ${limits.bodyBytes} bytes`);
      throw fail("function_crashed", `The function did not answer: ${this.ended ?? (err instanceof Error ? err.message : String(err))}`);
    }
  }

  /** A slot among `concurrency`: now, or after waiting in a bounded line (503 when it is full). */
  private async acquire(signal: AbortSignal): Promise<void> {
    const { concurrency, wallMs } = this.options.limits;
    if (this.active < concurrency) {
      this.active++;
      return;
    }
    if (this.waiting.length >= concurrency * QUEUE_PER_SLOT) throw fail("function_busy", `The function is answering ${concurrency} requests and ${this.waiting.length} are waiting; try again shortly`);
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        signal.removeEventListener("abort", giveUp);
        this.active++;
        resolve();
      };
      const giveUp = () => {
        const i = this.waiting.indexOf(turn);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(fail("function_timeout", `The function took longer than its limit of ${wallMs} ms (waiting for a free slot)`));
      };
      signal.addEventListener("abort", giveUp, { once: true });
      this.waiting.push(turn);
    });
  }

  private kill(reason: string): void {
    if (this.ended === null) this.ended = reason;
    this.closeSockets(1011, `the function's process was stopped: ${reason}`);
    this.proc.kill("SIGKILL");
  }

  /** Close every WebSocket of this process, saying why (before its end of them goes away). */
  private closeSockets(code: number, reason: string): void {
    for (const relay of [...this.relays]) relay.shut(code, closeReason(reason));
  }

  private end(reason: string): void {
    this.closeSockets(1011, `the function's process ended: ${this.ended ?? reason}`);
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    this.egressServer.stop(true);
    rmSync(this.runDir, { recursive: true, force: true });
    if (this.ended === null) this.ended = reason;
    this.options.onExit(this.stopped ? null : this.ended);
  }

  /**
   * Stop on purpose (a new deployment, disabled, deleted, the node stopping). The process's input
   * ends, which tells it to write out what it has logged and exit; one that does not within
   * STOP_GRACE_MS (a loop) is killed. Settles once its output is read to the end, so that a node
   * stopping keeps every line the function logged before it (bounded by DRAIN_MS).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.closeSockets(1012, "the function was redeployed or stopped");
    try {
      this.proc.stdin.end();
    } catch {
      // Already gone.
    }
    const within = (ms: number) => Promise.race([this.drained, Bun.sleep(ms)]);
    await within(STOP_GRACE_MS);
    this.proc.kill("SIGKILL");
    await within(DRAIN_MS);
  }
}

class BodyLimitError extends Error {}

function byteLimit(max: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) throw new BodyLimitError("body over the limit");
      controller.enqueue(chunk);
    },
  });
}

/** `body`, calling `done` once when it ends, fails or is cancelled. */
function untilDone(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: finished, value } = await reader.read();
        if (finished) {
          done();
          controller.close();
        } else controller.enqueue(value);
      } catch (err) {
        done();
        controller.error(err);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
}
