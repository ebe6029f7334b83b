// JSON-RPC 2.0 framing with plain values (no socket): messages, request shapes, error objects.
import { expect, test } from "bun:test";
import { AppError } from "../../server/errors.ts";
import { answersFailure, BINARY_REFUSED, duplicateId, idOf, methodNotFound, readMessage, readRequest, RpcFailure, toRpcError, tooManyInFlight } from "../../server/http/json-rpc.ts";
import { MAX_BATCH } from "../../server/http/ws-protocol.ts";
import { createLogger } from "../../server/log.ts";
import { caught } from "../helpers/refusal.ts";

const silent = createLogger({ level: "error", format: "json", sink: { write: () => undefined } });

test("a message is one request, a batch, or an error answered at once", () => {
  expect(readMessage('{"jsonrpc":"2.0","id":1,"method":"a"}')).toEqual({ batch: false, requests: [{ jsonrpc: "2.0", id: 1, method: "a" }] });
  expect(readMessage('[{"jsonrpc":"2.0","method":"a"},1]')).toEqual({ batch: true, requests: [{ jsonrpc: "2.0", method: "a" }, 1] });
  const error = (text: string) => ("error" in readMessage(text) ? (readMessage(text) as { error: { error: { code: number; data?: { code: string } } } }).error.error : null);
  expect(error("{")).toMatchObject({ code: -32700, data: { code: "invalid_json" } });
  expect(error("[]")).toMatchObject({ code: -32600 });
  expect(error(JSON.stringify(Array(101).fill({})))).toMatchObject({ code: -32600 });
  expect(error("[".repeat(100) + "]".repeat(100))).toMatchObject({ code: -32600, data: { code: "json_too_deep" } });
});

test("a request's shape: object, id type, version, method, params", () => {
  expect(readRequest({ jsonrpc: "2.0", id: "x", method: "m", params: [1] })).toEqual({ id: "x", notification: false, method: "m", params: [1] });
  expect(readRequest({ jsonrpc: "2.0", method: "m" })).toEqual({ id: null, notification: true, method: "m", params: {} });
  for (const bad of [
    null,
    1,
    [],
    { jsonrpc: "1.0", id: 1, method: "m" },
    { jsonrpc: "2.0", id: {}, method: "m" },
    { jsonrpc: "2.0", id: 1, method: "" },
    { jsonrpc: "2.0", id: 1, method: "m", params: 3 },
  ]) {
    expect(() => readRequest(bad)).toThrow(RpcFailure);
  }
  expect([idOf({ id: 7 }), idOf({ id: {} }), idOf(null)]).toEqual([7, null, null]);
});

test("errors: AppErrors keep code and status (400 → invalid params), anything else is hidden; notifications get no answer unless malformed", () => {
  expect(toRpcError(new AppError(400, "invalid_request", "no"), silent, "m")).toEqual({ code: -32602, message: "no", data: { code: "invalid_request", status: 400 } });
  expect(toRpcError(new AppError(404, "not_found", "gone", { what: 1 }), silent, "m")).toEqual({ code: -32000, message: "gone", data: { what: 1, code: "not_found", status: 404 } });
  expect(toRpcError(new TypeError("secret detail"), silent, "m")).toEqual({ code: -32603, message: "Internal error", data: { code: "internal_error", status: 500 } });
  const notification = readRequest({ jsonrpc: "2.0", method: "m" });
  expect(answersFailure(notification, new AppError(500, "internal_error", "x"))).toBe(false);
  expect(answersFailure(null, new Error("malformed"))).toBe(true);
  expect(answersFailure(readRequest({ jsonrpc: "2.0", id: 1, method: "m" }), new Error("x"))).toBe(true);
});

test("every error answer, exactly: what a client's code and its user read", () => {
  const answer = (text: string) => (readMessage(text) as { error: unknown }).error;
  expect(answer("{")).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: the message is not valid JSON", data: { code: "invalid_json" } } });
  expect(answer("[]")).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32600, message: `A batch holds 1 to ${MAX_BATCH} requests`, data: { code: "invalid_request" } } });
  // The batch limit itself is allowed; one more is not.
  expect(readMessage(JSON.stringify(Array(MAX_BATCH).fill({})))).toMatchObject({ batch: true });
  expect(answer(JSON.stringify(Array(MAX_BATCH + 1).fill({})))).toMatchObject({ error: { code: -32600 } });
  expect(BINARY_REFUSED).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Binary frames are not accepted; send JSON text", data: { code: "invalid_request" } } });
  const refused = (req: unknown) => caught(RpcFailure, () => readRequest(req)).rpc;
  const invalid = (message: string) => ({ code: -32600, message, data: { code: "invalid_request" } });
  expect(refused([])).toEqual(invalid("A request must be a JSON object"));
  expect(refused({ jsonrpc: "2.0", id: true, method: "m" })).toEqual(invalid("id must be a string, a number or null"));
  expect(refused({ jsonrpc: "2.0", id: 1 })).toEqual(invalid("method must be a non-empty string"));
  expect(refused({ id: 1, method: "m" })).toEqual(invalid('jsonrpc must be "2.0"'));
  expect(refused({ jsonrpc: "2.0", id: 1, method: "m", params: null })).toEqual(invalid("params must be an object or an array"));
  expect(methodNotFound("x.y").rpc).toEqual({ code: -32601, message: "Method not found: x.y", data: { code: "method_not_found" } });
  expect(duplicateId("a").rpc).toEqual(invalid('A request with id "a" is already running'));
  expect(tooManyInFlight(3).rpc).toEqual({ code: -32000, message: "Too many requests in flight (limit 3)", data: { code: "too_many_requests", status: 429 } });
});

test("ids: strings and numbers are read back, a null id is a call (not a notification)", () => {
  expect([idOf({ id: "s" }), idOf({ id: 0 }), idOf("text"), idOf([1])]).toEqual(["s", 0, null, null]);
  expect(readRequest({ jsonrpc: "2.0", id: null, method: "m" })).toEqual({ id: null, notification: false, method: "m", params: {} });
});

test("a notification is answered only when it was malformed (invalid request), not for a missing method", () => {
  const notification = readRequest({ jsonrpc: "2.0", method: "m" });
  expect(answersFailure(notification, duplicateId(null))).toBe(true);
  expect(answersFailure(notification, methodNotFound("m"))).toBe(false);
  expect(answersFailure(notification, tooManyInFlight(1))).toBe(false);
});

test("an unexpected failure is logged with the method that failed", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "error", format: "json", sink: { write: (l) => void lines.push(l) } });
  toRpcError(new TypeError("secret detail"), log, "files.move");
  const line = JSON.parse(lines[0]!);
  expect(line).toMatchObject({ msg: "ws method failed", method: "files.move" });
  expect(JSON.stringify(line.err)).toContain("secret detail");
});
