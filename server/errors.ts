// The one error family: every failure a client can see is an AppError with a stable code and status.

import { ERROR_CODES, type ErrorCode } from "./error-codes.ts";

export type ErrorExtra = Record<string, unknown>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: ErrorExtra;
  /** Extra response headers, e.g. Retry-After on 429. */
  readonly headers: Record<string, string>;

  constructor(status: number, code: ErrorCode, message: string, extra: ErrorExtra = {}, headers: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.extra = extra;
    this.headers = headers;
  }
}

/**
 * An error from the catalogue (server/error-codes.ts): its status always, its default message
 * unless the feature says more. Features build their small helpers on this.
 */
export function fail(code: ErrorCode, message?: string, extra?: ErrorExtra): AppError {
  const spec = ERROR_CODES[code];
  return new AppError(spec.status, code, message ?? spec.message, extra);
}

export class BadRequestError extends AppError {
  constructor(message: string, code: ErrorCode = "bad_request", extra?: ErrorExtra) {
    super(400, code, message, extra);
  }
}

export class InvalidJsonError extends AppError {
  constructor(message = "The request body is not valid JSON") {
    super(400, "invalid_json", message);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, extra?: ErrorExtra) {
    super(400, "invalid_request", message, extra);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = "Authentication required", code: ErrorCode = "token_missing") {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "You are not allowed to do this", code: ErrorCode = "forbidden") {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = "Not found", code: ErrorCode = "not_found", extra?: ErrorExtra) {
    super(404, code, message, extra);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code: ErrorCode = "conflict", extra?: ErrorExtra) {
    super(409, code, message, extra);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, "payload_too_large", `The request body is larger than the limit of ${limitBytes} bytes`, { limit: limitBytes });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(contentType: string) {
    super(415, "unsupported_media_type", `Content-Type ${contentType || "(none)"} is not accepted here`);
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, message = "Too many requests; try again later") {
    super(429, "too_many_requests", message, { retryAfter: retryAfterSeconds }, { "Retry-After": String(retryAfterSeconds) });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string, code: ErrorCode = "service_unavailable") {
    super(503, code, message);
  }
}

export class InternalError extends AppError {
  constructor(message = "Internal server error") {
    super(500, "internal_error", message);
  }
}

/** The JSON body of every error response: Puter-compatible ({ error, message, code, ...extra }). */
export interface ErrorBody {
  error: string;
  code: string;
  message: string;
  [extra: string]: unknown;
}

export function errorBody(err: AppError): ErrorBody {
  return { ...err.extra, error: err.message, code: err.code, message: err.message };
}

/** Anything thrown becomes an AppError; unknown errors hide their details from the client. */
export function toAppError(err: unknown): AppError {
  return err instanceof AppError ? err : new InternalError();
}

export function errorResponse(err: AppError): Response {
  return new Response(JSON.stringify(errorBody(err)), {
    status: err.status,
    headers: { "content-type": "application/json; charset=utf-8", ...err.headers },
  });
}
