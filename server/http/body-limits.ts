// How much JSON body each route may send, and how deep it may nest. Features declare the routes whose
// limit differs from the default; app.ts gathers them. Bodies are read only after the caller's header
// credential is checked; without one, only a small budget is read.
import { type AppError, PayloadTooLargeError } from "../errors.ts";

/** JSON nested deeper than this is refused before it is parsed (no route needs more than a few levels). */
export const MAX_JSON_DEPTH = 64;
/** What a request whose only credential may be in its body (Puter's SDK) gets read before it is known. */
export const PRE_AUTH_JSON_BYTES = 256 * 1024;

export interface BodyLimit {
  bytes: number;
  /** The error for a body over the limit, where the route documents its own. */
  tooLarge?: (limit: number) => AppError;
}

/** Key: "METHOD /route" exactly as registered, like the role table. */
export type BodyLimits = Record<string, BodyLimit>;

export class BodyLimitTable {
  constructor(
    private readonly limits: BodyLimits,
    private readonly fallbackBytes: number,
  ) {}

  for(key: string): Required<BodyLimit> {
    const limit = this.limits[key];
    return { bytes: limit?.bytes ?? this.fallbackBytes, tooLarge: limit?.tooLarge ?? ((n) => new PayloadTooLargeError(n)) };
  }
}
