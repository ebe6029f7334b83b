// The one error catalogue: every code documented, every thrown status the catalogue's, no raw code
// outside it (AppError's type refuses unknown codes; this also covers JSON-RPC and stream error data).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ERROR_CODES, isErrorCode } from "../../server/error-codes.ts";
import { REPO } from "../helpers/spawned-node.ts";

/** Status of the error classes that fix it themselves. */
const CLASS_STATUS: Record<string, number> = {
  BadRequestError: 400,
  InvalidPathError: 400,
  InvalidPhraseError: 400,
  ValidationError: 400,
  InvalidModuleError: 400,
  InvalidJsonError: 400,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  PayloadTooLargeError: 413,
  UnsupportedMediaTypeError: 415,
  RateLimitedError: 429,
  InternalError: 500,
  ServiceUnavailableError: 503,
};

function serverSources(): { file: string; text: string }[] {
  const listed = Bun.spawnSync(["git", "ls-files", "--cached", "--others", "--exclude-standard", "server", "workers"], { cwd: REPO });
  return new TextDecoder()
    .decode(listed.stdout)
    .split("\n")
    .filter((f) => f.endsWith(".ts"))
    .map((file) => ({ file, text: readFileSync(join(REPO, file), "utf8") }));
}

test("every code is in docs/http-api.md's table, with its status", () => {
  const docs = readFileSync(join(REPO, "docs", "http-api.md"), "utf8");
  const missing = Object.entries(ERROR_CODES).filter(([code, { status }]) => !docs.includes(`| ${status} | \`${code}\` |`));
  expect(missing.map(([code]) => code)).toEqual([]);
});

test("every error thrown with a code has the catalogue's status", () => {
  const wrong: string[] = [];
  let seen = 0;
  for (const { file, text } of serverSources()) {
    for (const m of text.matchAll(/new (\w+Error)\(\s*(\d{3}),\s*"([a-z0-9_]+)"/g)) {
      seen++;
      if (ERROR_CODES[m[3] as keyof typeof ERROR_CODES]?.status !== Number(m[2])) wrong.push(`${file}: ${m[3]} thrown as ${m[2]}`);
    }
    for (const m of text.matchAll(/new (\w+Error)\((?:[^()"`]|"(?:[^"\\]|\\.)*"|`[^`]*`|\([^()]*\))*?,\s*"([a-z0-9_]+)"\s*[,)]/g)) {
      const status = CLASS_STATUS[m[1]!];
      if (status === undefined) continue;
      seen++;
      if (ERROR_CODES[m[2] as keyof typeof ERROR_CODES]?.status !== status) wrong.push(`${file}: ${m[2]} thrown as ${status} (${m[1]})`);
    }
  }
  expect(seen).toBeGreaterThan(100);
  expect(wrong).toEqual([]);
});

test("no raw code outside the catalogue: error data in JSON-RPC answers and streams", () => {
  const unknown: string[] = [];
  for (const { file, text } of serverSources()) {
    if (file.endsWith("error-codes.ts")) continue;
    for (const m of text.matchAll(/\bcode: "([a-z][a-z0-9_]*)"/g)) if (!isErrorCode(m[1]!)) unknown.push(`${file}: ${m[1]}`);
  }
  expect(unknown).toEqual([]);
});
