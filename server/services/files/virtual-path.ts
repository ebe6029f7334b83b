// Client paths → paths inside the caller's own root. Strict: bad input is refused, never "fixed up".
import type { ErrorCode } from "../../error-codes.ts";
import { BadRequestError, ForbiddenError } from "../../errors.ts";

export const MAX_PATH_BYTES = 4096;
export const MAX_NAME_BYTES = 255;
const encoder = new TextEncoder();
const WALLET = /^0x[0-9a-fA-F]{40}$/;

// C0 and C1 controls, DEL, the Unicode line/paragraph separators and bidi overrides and marks, and
// invisible characters (zero-width space, word joiner and invisible operators, BOM, soft hyphen,
// combining grapheme joiner, Mongolian vowel separator) that make names lie about themselves on
// screen: "report.pdf" and "report\u200B.pdf" look the same. ZWNJ and ZWJ stay: scripts and emoji
// sequences need them.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;
/** A name may not start with a combining mark: it would draw itself onto whatever is shown before it. */
const LEADING_MARK = /^\p{M}/u;

export class InvalidPathError extends BadRequestError {
  constructor(message: string, code: ErrorCode = "invalid_path") {
    super(message, code);
  }
}

/** A single file or folder name: 1–255 UTF-8 bytes, no slash, no control characters, not "." or "..". */
export function checkName(input: unknown): string {
  if (typeof input !== "string" || input.length === 0) throw new InvalidPathError("A name must be a non-empty string", "invalid_file_name");
  if (!input.isWellFormed()) throw new InvalidPathError("A name must be valid Unicode (no unpaired surrogates)", "invalid_file_name");
  const name = input.normalize("NFC");
  if (name === "." || name === "..") throw new InvalidPathError(`"${name}" is not a valid name`, "invalid_file_name");
  if (name.includes("/")) throw new InvalidPathError("A name cannot contain /", "invalid_file_name");
  // A backslash is a separator on Windows: "..\\..\\x" in a downloaded zip would climb out of the folder.
  if (name.includes("\\")) throw new InvalidPathError("A name cannot contain \\", "invalid_file_name");
  if (FORBIDDEN.test(name)) throw new InvalidPathError("A name cannot contain control or invisible characters", "invalid_file_name");
  if (LEADING_MARK.test(name)) throw new InvalidPathError("A name cannot start with a combining mark", "invalid_file_name");
  if (encoder.encode(name).length > MAX_NAME_BYTES) throw new InvalidPathError(`A name is at most ${MAX_NAME_BYTES} bytes`, "name_too_long");
  if (name.trim() !== name || name.endsWith(".")) {
    // Leading/trailing spaces and trailing dots break downloads on Windows and confuse people.
    throw new InvalidPathError("A name cannot start or end with a space or end with a dot", "invalid_file_name");
  }
  return name;
}

/**
 * Resolve what a client sent into a path inside the caller's root ("/" is the root itself).
 * "~", "/" and "/<own address>" all mean the root. Everything is relative to the root, so
 * another wallet's "/0x…" is just a (missing) folder name here: there is no way out.
 */
export function resolvePath(input: unknown, ownerAddress: string): string {
  if (typeof input !== "string" || input.length === 0) throw new InvalidPathError("path must be a non-empty string");
  if (encoder.encode(input).length > MAX_PATH_BYTES) throw new InvalidPathError(`A path is at most ${MAX_PATH_BYTES} bytes`, "path_too_long");
  if (FORBIDDEN.test(input)) throw new InvalidPathError("A path cannot contain control characters");
  if (!input.isWellFormed()) throw new InvalidPathError("A path must be valid Unicode (no unpaired surrogates)");
  let rest: string;
  if (input === "~" || input.startsWith("~/")) rest = input.slice(1);
  else if (input.startsWith("/")) rest = input;
  else throw new InvalidPathError(`Paths start with / or ~ (got "${input.slice(0, 40)}")`);

  const home = "/" + ownerAddress;
  if (rest.toLowerCase() === home || rest.toLowerCase().startsWith(home + "/")) rest = rest.slice(home.length);

  const parts = rest.split("/").filter((p) => p !== "");
  // Puter-style absolute paths start with the user's name. Reaching for another wallet's home is
  // refused outright rather than quietly meaning a look-alike folder in one's own root.
  if (parts[0] && WALLET.test(parts[0])) throw new ForbiddenError("Only your own files are reachable", "access_denied");
  for (const p of parts) {
    if (p === "." || p === "..") throw new InvalidPathError('Paths cannot contain "." or ".." segments');
    checkName(p);
  }
  return "/" + parts.map((p) => p.normalize("NFC")).join("/");
}

/** Re-check a path the server built (defence in depth: every segment must be a valid name). */
export function checkInternalPath(path: string): string {
  if (!path.startsWith("/")) throw new InvalidPathError("internal paths start with /");
  if (path !== "/") for (const segment of path.slice(1).split("/")) checkName(segment);
  return path;
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

/** Is `path` inside `dir` (or equal to it)? */
export function isWithin(path: string, dir: string): boolean {
  return dir === "/" || path === dir || path.startsWith(dir + "/");
}

/** The path clients see, Puter-style: /<address>/Documents/a.txt. */
export function displayPath(path: string, ownerAddress: string): string {
  return path === "/" ? `/${ownerAddress}` : `/${ownerAddress}${path}`;
}
