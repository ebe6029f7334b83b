// What a call into a service refused with, in the shape the HTTP layer answers it: status, code,
// message, and `extra` when there is any. Anything that is not a refusal (no error, or an error that
// is not an AppError) fails the test.
import { AppError } from "../../server/errors.ts";

export interface Refusal {
  status: number;
  code: string;
  message: string;
  extra?: Record<string, unknown>;
}

function shapeOf(err: unknown): Refusal {
  if (!(err instanceof AppError)) throw err;
  const r: Refusal = { status: err.status, code: err.code, message: err.message };
  if (Object.keys(err.extra).length) r.extra = err.extra as Record<string, unknown>;
  return r;
}

/**
 * The error of the given class a synchronous call throws. Any other error is rethrown, and a call
 * that returns fails the test: for the errors below the HTTP layer (wire formats, ids, frames).
 */
export function caught<E extends Error>(kind: abstract new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (err) {
    if (err instanceof kind) return err;
    throw err;
  }
  throw new Error("not refused");
}

/** The refusal a synchronous call throws. */
export function refusalOf(run: () => unknown): Refusal {
  try {
    run();
  } catch (err) {
    return shapeOf(err);
  }
  throw new Error("not refused");
}

/**
 * The refusal a promise (or an async call) fails with. Settled with `.then`, not `expect().rejects`
 * (which can miss a rejection that comes from a worker thread: oven-sh/bun#31462).
 */
export async function refusalOfAsync(p: Promise<unknown> | (() => Promise<unknown>)): Promise<Refusal> {
  const outcome = await (typeof p === "function" ? p() : p).then(
    () => ({ refused: false as const }),
    (err: unknown) => ({ refused: true as const, err }),
  );
  if (!outcome.refused) throw new Error("not refused");
  return shapeOf(outcome.err);
}
