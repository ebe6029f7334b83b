// JSON-RPC 2.0 framing, with no socket in sight: read a message into requests, check one request's
// shape, and turn failures into error objects. The hub (ws-hub.ts) does connections; this does text.
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { MAX_JSON_DEPTH } from "./body-limits.ts";
import { checkJsonDepth } from "./json-body.ts";
import { MAX_BATCH, RPC_ERRORS, type JsonRpcErrorObject, type JsonRpcId, type JsonRpcResponse } from "./ws-protocol.ts";

/** A failure that already is a JSON-RPC error object. */
export class RpcFailure extends Error {
  constructor(readonly rpc: JsonRpcErrorObject) {
    super(rpc.message);
  }
}

const invalid = (message: string) => new RpcFailure({ code: RPC_ERRORS.invalidRequest, message, data: { code: "invalid_request" } });

/** What one message holds: requests to handle (a single one or a batch), or an error to answer at once. */
export type ReadMessage = { batch: boolean; requests: unknown[] } | { error: JsonRpcResponse };

/** Read one text message: nesting checked before parsing, JSON, then the batch's size. */
export function readMessage(text: string): ReadMessage {
  const fail = (error: JsonRpcErrorObject): ReadMessage => ({ error: { jsonrpc: "2.0", id: null, error } });
  try {
    checkJsonDepth(text, MAX_JSON_DEPTH);
  } catch (err) {
    const { message, code } = err as AppError;
    return fail({ code: RPC_ERRORS.invalidRequest, message, data: { code } });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail({ code: RPC_ERRORS.parseError, message: "Parse error: the message is not valid JSON", data: { code: "invalid_json" } });
  }
  if (!Array.isArray(parsed)) return { batch: false, requests: [parsed] };
  if (parsed.length === 0 || parsed.length > MAX_BATCH) return fail({ code: RPC_ERRORS.invalidRequest, message: `A batch holds 1 to ${MAX_BATCH} requests`, data: { code: "invalid_request" } });
  return { batch: true, requests: parsed };
}

/** The answer to a binary frame. */
export const BINARY_REFUSED: JsonRpcResponse = {
  jsonrpc: "2.0",
  id: null,
  error: { code: RPC_ERRORS.invalidRequest, message: "Binary frames are not accepted; send JSON text", data: { code: "invalid_request" } },
};

export interface RpcRequest {
  /** null for a notification, which gets no response. */
  id: JsonRpcId;
  notification: boolean;
  method: string;
  params: unknown;
}

/** The id a request carries, as far as it can be read (for the error answer of a malformed one). */
export function idOf(req: unknown): JsonRpcId {
  const id = req !== null && typeof req === "object" ? (req as { id?: unknown }).id : null;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/** Check one request object's shape; throws RpcFailure (invalid request). */
export function readRequest(req: unknown): RpcRequest {
  if (req === null || typeof req !== "object" || Array.isArray(req)) throw invalid("A request must be a JSON object");
  const r = req as Record<string, unknown>;
  const hasId = "id" in r;
  if (hasId && !(typeof r.id === "string" || typeof r.id === "number" || r.id === null)) throw invalid("id must be a string, a number or null");
  if (r.jsonrpc !== "2.0") throw invalid('jsonrpc must be "2.0"');
  if (typeof r.method !== "string" || r.method === "") throw invalid("method must be a non-empty string");
  if ("params" in r && (r.params === null || typeof r.params !== "object")) throw invalid("params must be an object or an array");
  return { id: hasId ? (r.id as JsonRpcId) : null, notification: !hasId, method: r.method, params: r.params ?? {} };
}

export const methodNotFound = (method: string) => new RpcFailure({ code: RPC_ERRORS.methodNotFound, message: `Method not found: ${method}`, data: { code: "method_not_found" } });
export const duplicateId = (id: JsonRpcId) => invalid(`A request with id ${JSON.stringify(id)} is already running`);
export const tooManyInFlight = (limit: number) =>
  new RpcFailure({ code: RPC_ERRORS.applicationError, message: `Too many requests in flight (limit ${limit})`, data: { code: "too_many_requests", status: 429 } });

/** Any failure as a JSON-RPC error object: AppErrors keep their code and status; anything else is logged and hidden. */
export function toRpcError(err: unknown, log: Logger, method: string): JsonRpcErrorObject {
  if (err instanceof RpcFailure) return err.rpc;
  if (err instanceof AppError) {
    const code = err.status === 400 ? RPC_ERRORS.invalidParams : RPC_ERRORS.applicationError;
    return { code, message: err.message, data: { ...err.extra, code: err.code, status: err.status } };
  }
  log.error("ws method failed", { method, err });
  return { code: RPC_ERRORS.internalError, message: "Internal error", data: { code: "internal_error", status: 500 } };
}

/** Whether a failed request still gets an answer: requests always; notifications only when they were malformed. */
export function answersFailure(request: RpcRequest | null, err: unknown): boolean {
  return request === null || !request.notification || (err instanceof RpcFailure && err.rpc.code === RPC_ERRORS.invalidRequest);
}

export function notificationText(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", method, params });
}
