// The /ws wire format (JSON-RPC 2.0 + server notifications), shared by the server, tests and the desktop.

export type JsonRpcId = string | number | null;

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  method: string;
  params?: unknown;
  /** Absent for a notification (no response is sent). */
  id?: JsonRpcId;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  /** PC2 detail: the AppError code (snake_case) and HTTP-equivalent status. */
  data?: { code: string; status?: number; [k: string]: unknown };
}

export type JsonRpcResponse = { jsonrpc: "2.0"; id: JsonRpcId; result: unknown } | { jsonrpc: "2.0"; id: JsonRpcId; error: JsonRpcErrorObject };

/** A server-pushed notification: `method` is the event name, params its payload. */
export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params: unknown;
}

export const RPC_ERRORS = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** An application error; data.code says which. */
  applicationError: -32000,
} as const;

/** Close codes the server sends. */
export const WS_CLOSE = {
  shuttingDown: 1001,
  messageTooBig: 1009,
  heartbeatTimeout: 4000,
  slowConsumer: 4008,
  /** Signed out, revoked, expired, removed, or the role changed (reconnect to pick up the new role). */
  sessionEnded: 4403,
} as const;

/** Built-in methods every connection has. */
export interface SubscribeParams {
  topics: string[];
}
export interface SubscribeResult {
  subscribed: string[];
}
export interface CancelParams {
  id: string | number;
}

export const MAX_BATCH = 32;
