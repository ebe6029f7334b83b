// A typed client for a PC2 node, for scripts and the `pc2 remote` command: the HTTP API (files,
// functions) and the WebSocket JSON-RPC API (WASM runs and AI chat, streamed), signed in with an
// API token. Files move as streams, never whole in memory, with progress.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { ConversationReply } from "../server/services/ai/ai.service.ts";
import type { Entry } from "../web/apps/files/entry.ts";
import { Pc2WsClient } from "../web/api/ws-client.ts";
import type { ExecuteResult } from "../server/services/wasm/wasm.service.ts";
import { readFunctionFolder } from "../server/services/functions/fn-commands.ts";

export type { ConversationReply, Entry, ExecuteResult };

/** The node answered with an error: its status and its { code, message }. */
export class Pc2ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "Pc2ApiError";
  }
}

export interface TransferOptions {
  /** Bytes moved so far, and the total when it is known. */
  onProgress?: (done: number, total: number | null) => void;
}

/** "~/Documents/a b.txt" → "/dav/Documents/a%20b.txt". */
function davPath(remote: string): string {
  const rest = remote.replace(/^~(?=\/|$)/, "");
  return `/dav/${rest.split("/").filter(Boolean).map(encodeURIComponent).join("/")}`;
}

/** `body`, counting its bytes as they pass. */
function counted(body: ReadableStream<Uint8Array>, onBytes: (n: number) => void): ReadableStream<Uint8Array> {
  let n = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        n += chunk.byteLength;
        onBytes(n);
        controller.enqueue(chunk);
      },
    }),
  );
}

export class Pc2Client {
  private socket: Promise<Pc2WsClient> | null = null;
  readonly url: string;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    this.url = url.replace(/\/$/, "");
    if (!token) throw new Error("An API token is needed (Settings › API tokens)");
  }

  private get auth() {
    return { authorization: `Bearer ${this.token}` };
  }

  private async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, { ...init, headers: { ...this.auth, ...(init.headers as Record<string, string>) } });
    } catch (err) {
      throw new Pc2ApiError(0, "unreachable", `The node at ${this.url} did not answer: ${(err as Error).message}`);
    }
    if (res.ok) return res;
    const body = (await res.json().catch(() => null)) as { code?: string; message?: string } | null;
    throw new Pc2ApiError(res.status, body?.code ?? "http_error", body?.message ?? `The node answered ${res.status}`);
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await res.json()) as T;
  }

  whoami(): Promise<{ address: string; role: string }> {
    return this.json("GET", "/whoami");
  }

  readonly files = {
    /** A folder's entries ("~/Documents"). */
    list: (path: string) => this.json<Entry[]>("POST", "/readdir", { path }),
    /** A folder, and the folders above it when missing. */
    mkdir: (path: string) => this.json<Entry>("POST", "/mkdir", { path, create_missing_parents: true, overwrite: true }),
    /** Into the Trash (for good when it is already there). */
    remove: (path: string) => this.json("POST", "/delete", { paths: [path] }),
    /** Upload `local` to `remote` (its folder must exist), streamed; replaces what is there. */
    put: async (local: string, remote: string, opts: TransferOptions = {}): Promise<void> => {
      const file = Bun.file(local);
      const total = file.size;
      const body = counted(file.stream(), (n) => opts.onProgress?.(n, total));
      await this.fetch(davPath(remote), { method: "PUT", body, headers: { "content-type": "application/octet-stream" } });
      opts.onProgress?.(total, total);
    },
    /** Download `remote` to `local` (its folder made if missing), streamed. */
    get: async (remote: string, local: string, opts: TransferOptions = {}): Promise<number> => {
      const res = await this.fetch(davPath(remote));
      const total = Number(res.headers.get("content-length") ?? NaN);
      mkdirSync(dirname(local), { recursive: true });
      const sink = Bun.file(local).writer();
      let n = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        sink.write(chunk);
        n += chunk.byteLength;
        opts.onProgress?.(n, Number.isFinite(total) ? total : null);
      }
      await sink.end();
      return n;
    },
  };

  readonly fn = {
    /** Deploy a folder as an edge function (docs/functions.md); returns its details. */
    deploy: async (dir: string, name: string, opts: { public?: boolean } = {}) => {
      const files = readFunctionFolder(dir);
      const r = await this.json<{ function: { name: string; url: string; current: string; startError: string | null } }>("POST", "/api/functions", {
        name,
        files,
        ...(opts.public ? { visibility: "public" } : {}),
      });
      return { ...r.function, fileCount: files.length };
    },
  };

  /** The WebSocket API, opened on first use. */
  private ws(): Promise<Pc2WsClient> {
    this.socket ??= Pc2WsClient.connect(Pc2WsClient.urlFor(this.url), { headers: this.auth });
    return this.socket;
  }

  readonly wasm = {
    /** Run an installed WASM app; its output streams to `onOutput` as it is written. */
    run: async (
      app: string,
      opts: { args?: string[]; stdin?: string; output?: string; timeoutMs?: number; onOutput?: (stream: "stdout" | "stderr", text: string) => void; signal?: AbortSignal } = {},
    ): Promise<ExecuteResult> => {
      const { onOutput, signal, ...params } = opts;
      return (await this.ws()).call<ExecuteResult>(
        "wasm.run",
        { app, ...params },
        {
          signal,
          onNotification: (method, p) => {
            if (method === "wasm.output") onOutput?.((p as { stream: "stdout" | "stderr" }).stream, (p as { text: string }).text);
          },
        },
      );
    },
  };

  readonly ai = {
    /** One turn of a conversation (a new one without `conversationId`); the reply streams to `onToken`. */
    chat: async (message: string, opts: { model?: string; conversationId?: string; onToken?: (text: string) => void; signal?: AbortSignal } = {}): Promise<ConversationReply> => {
      const { onToken, signal, ...params } = opts;
      return (await this.ws()).call<ConversationReply>(
        "ai.chat",
        { message, ...params },
        {
          signal,
          onNotification: (method, p) => {
            if (method === "ai.token") onToken?.((p as { text: string }).text);
          },
        },
      );
    },
  };

  /** Close the WebSocket (if one was opened). */
  async close(): Promise<void> {
    if (this.socket) (await this.socket.catch(() => null))?.close();
    this.socket = null;
  }
}
