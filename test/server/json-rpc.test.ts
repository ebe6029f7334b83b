// JSON-RPC 2.0 framing with plain values (no socket): messages, request shapes, error objects.
import { expect, test } from "bun:test";
import { AppError } from "../../server/errors.ts";
import { answersFailure, idOf, readMessage, readRequest, RpcFailure, toRpcError } from "../../server/http/json-rpc.ts";
import { createLogger } from "../../server/log.ts";

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
