// The `Deno` global a function sees: what a Deno Deploy-style HTTP function uses (Deno.serve,
// Deno.env, Deno.openKv), and for the rest of Deno's API a function that throws an error naming
// what is not supported and why, so that code written for Deno fails clearly rather than strangely.
import { AtomicOperation, Kv, type KvCall, KvU64 } from "./deno-kv.ts";

export type Handler = (request: Request, info: ServeInfo) => Response | Promise<Response>;
export interface ServeInfo {
  remoteAddr: { transport: "tcp"; hostname: string; port: number };
  completed: Promise<void>;
}

interface ServeOptions {
  handler?: Handler;
  port?: number;
  hostname?: string;
  onListen?: (addr: { hostname: string; port: number; transport: "tcp" }) => void;
  onError?: (error: unknown) => Response | Promise<Response>;
  signal?: AbortSignal;
}

/** Deno's file, process and socket APIs: functions have none of these (they run without a file system or subprocesses). */
const NO_FILES = [
  "readFile",
  "readTextFile",
  "writeFile",
  "writeTextFile",
  "open",
  "create",
  "mkdir",
  "remove",
  "rename",
  "stat",
  "lstat",
  "readDir",
  "readLink",
  "realPath",
  "symlink",
  "link",
  "copyFile",
  "chmod",
  "chown",
  "truncate",
  "makeTempDir",
  "makeTempFile",
  "watchFs",
  "utime",
  "cwd",
  "chdir",
];
const NO_PROCESSES = ["run", "Command", "kill", "exit"];
const NO_SOCKETS = ["listen", "listenTls", "connect", "connectTls", "startTls", "listenDatagram", "serveHttp", "resolveDns", "networkInterfaces"];
const NO_NATIVE = ["dlopen"];

export class UnsupportedError extends Error {
  constructor(api: string, why: string) {
    super(`Deno.${api} is not supported in PC2 functions: ${why}`);
    this.name = "NotSupported";
  }
}

export interface DenoShim {
  /** The handler registered with Deno.serve, if any. */
  handler(): { handler: Handler; onError?: ServeOptions["onError"] } | null;
  deno: Record<string, unknown>;
}

export function createDeno(env: Record<string, string>, kvCall: KvCall, upgradeWebSocket: (request: Request, options?: { protocol?: string }) => unknown): DenoShim {
  let served: { handler: Handler; onError?: ServeOptions["onError"] } | null = null;
  const secrets = new Map(Object.entries(env));
  const unsupported = (api: string, why: string) => () => {
    throw new UnsupportedError(api, why);
  };
  const deno: Record<string, unknown> = {
    serve(a: Handler | ServeOptions, b?: Handler) {
      const options: ServeOptions = typeof a === "function" ? {} : a;
      const handler = typeof a === "function" ? a : (b ?? a.handler);
      if (typeof handler !== "function") throw new TypeError("Deno.serve needs a handler: Deno.serve(handler) or Deno.serve(options, handler)");
      if (served) throw new Error("Deno.serve was called twice: a PC2 function serves one handler");
      served = { handler, onError: options.onError };
      // The node listens for the function: the port and host asked for are not used.
      options.onListen?.({ hostname: "0.0.0.0", port: 0, transport: "tcp" });
      const finished = new Promise<void>(() => undefined);
      return { finished, shutdown: async () => undefined, ref() {}, unref() {}, addr: { hostname: "0.0.0.0", port: 0, transport: "tcp" } };
    },
    env: Object.freeze({
      get: (name: string) => secrets.get(name),
      has: (name: string) => secrets.has(name),
      toObject: () => Object.fromEntries(secrets),
      set: unsupported("env.set", "a function's environment is its secrets, set by whoever deploys it"),
      delete: unsupported("env.delete", "a function's environment is its secrets, set by whoever deploys it"),
    }),
    upgradeWebSocket,
    /** The function's own store (one per function): Deno.openKv() takes no path here. */
    openKv: async (path?: string) => {
      if (path !== undefined) throw new UnsupportedError("openKv(path)", "a function has one key-value store; call Deno.openKv() without a path");
      return new Kv(kvCall);
    },
    KvU64,
    AtomicOperation,
    build: Object.freeze({ os: "linux", arch: "x86_64", target: "x86_64-unknown-linux-gnu", vendor: "unknown" }),
    noColor: true,
    pid: 1,
    args: Object.freeze([]),
    mainModule: "file:///function/main.js",
    memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0 }),
  };
  for (const api of NO_FILES) deno[api] = unsupported(api, "functions have no file system");
  for (const api of NO_PROCESSES) deno[api] = unsupported(api, "functions cannot start or end processes");
  for (const api of NO_SOCKETS) deno[api] = unsupported(api, "functions serve HTTP through Deno.serve or export default { fetch }, and reach the network with fetch()");
  for (const api of NO_NATIVE) deno[api] = unsupported(api, "functions cannot load native code");
  return { handler: () => served, deno: Object.freeze(deno) };
}
