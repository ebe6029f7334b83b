// The JSON lines between the node and a function's sandbox process (workers/function-host.ts):
// the node starts it with one `start` and then pings it; the process says when it is ready,
// answers pings (a function stuck in a loop cannot), and sends its console output as logs.

export interface FunctionStart {
  t: "start";
  /** The deployed bundle, as the sandbox sees it. */
  bundle: string;
  /** Where the process serves HTTP (a Unix socket it creates). */
  socket: string;
  /** Where its outbound fetches go (the node's egress socket, which applies the allowed hosts). */
  egress: string;
  /** The function's secrets (Deno.env). */
  env: Record<string, string>;
}

export type ToFunction = FunctionStart | { t: "ping"; id: number };

export type LogLevel = "debug" | "info" | "warn" | "error";

export type FromFunction = { t: "ready" } | { t: "failed"; message: string } | { t: "pong"; id: number } | { t: "log"; level: LogLevel; message: string };

/** Headers the node sets on a request it hands to a function (and removes if a client sent them). */
export const CLIENT_HEADER = "x-pc2-fn-client";
export const TARGET_HEADER = "x-pc2-fn-target";
/** On the egress socket: the function's key-value store (Deno.openKv), JSON operations. */
export const KV_PATH = "http://egress/.pc2/kv";
