// The If header (RFC 4918 §10.4): lists of conditions — lock tokens and entity tags, each possibly
// negated with Not — optionally tagged with the resource they are about. The request proceeds only
// if some list holds; every lock token in the header counts as submitted.
import { fail } from "../../errors.ts";

export interface Condition {
  not: boolean;
  token?: string;
  etag?: string;
}

export interface ConditionList {
  /** A tagged list's resource (its URL as sent), or null: the request's own. */
  resource: string | null;
  conditions: Condition[];
}

const MAX_IF_BYTES = 16 * 1024;

/** The If header's lists (empty when there is none); a malformed header is 400. */
export function parseIf(header: string | null): ConditionList[] {
  if (!header) return [];
  if (header.length > MAX_IF_BYTES) throw fail("invalid_request", "The If header is too long");
  const bad = (why: string) => fail("invalid_request", `The If header is malformed: ${why}`);
  const lists: ConditionList[] = [];
  let tag: string | null = null;
  let i = 0;
  const until = (close: string) => {
    const end = header.indexOf(close, i);
    if (end < 0) throw bad(`missing ${close}`);
    const value = header.slice(i, end);
    i = end + 1;
    return value;
  };
  while (i < header.length) {
    const c = header[i]!;
    if (c === " " || c === "\t") {
      i++;
    } else if (c === "<") {
      i++;
      tag = until(">");
    } else if (c === "(") {
      i++;
      const conditions: Condition[] = [];
      for (;;) {
        while (header[i] === " " || header[i] === "\t") i++;
        if (i >= header.length) throw bad("missing )");
        if (header[i] === ")") {
          i++;
          break;
        }
        let not = false;
        if (header.slice(i, i + 3).toLowerCase() === "not") {
          not = true;
          i += 3;
          while (header[i] === " " || header[i] === "\t") i++;
        }
        if (header[i] === "<") {
          i++;
          conditions.push({ not, token: until(">") });
        } else if (header[i] === "[") {
          i++;
          conditions.push({ not, etag: until("]") });
        } else throw bad(`unexpected "${header[i]}"`);
      }
      if (conditions.length === 0) throw bad("an empty list");
      lists.push({ resource: tag, conditions });
    } else throw bad(`unexpected "${c}"`);
  }
  return lists;
}

/** Every lock token named in the header (Not or not): the tokens the request submits. */
export function submittedTokens(lists: ConditionList[]): Set<string> {
  const out = new Set<string>();
  for (const l of lists) for (const c of l.conditions) if (c.token) out.add(c.token);
  return out;
}

/** What a condition is checked against: a resource's entity tag and the tokens of its locks. */
export interface ResourceState {
  etag: string | null;
  tokens: ReadonlySet<string>;
}

/**
 * Whether the header lets the request proceed: true without one; otherwise some list must hold,
 * every condition in it true for its resource (`stateOf(null)` is the request's own resource).
 */
export function ifHolds(lists: ConditionList[], stateOf: (resource: string | null) => ResourceState | null): boolean {
  if (lists.length === 0) return true;
  return lists.some((list) => {
    const state = stateOf(list.resource);
    return list.conditions.every((c) => {
      const holds = c.token !== undefined ? (state?.tokens.has(c.token) ?? false) : state?.etag !== null && state?.etag !== undefined && sameEtag(state.etag, c.etag!);
      return c.not ? !holds : holds;
    });
  });
}

const sameEtag = (a: string, b: string) => a.replace(/^W\//, "") === b.trim().replace(/^W\//, "");
