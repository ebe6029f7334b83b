// Base URLs a user gives the node (an AI provider, an Ollama server): checked once, joined safely.
import { ValidationError } from "../errors.ts";

/**
 * An http(s) base URL without credentials, query or fragment (a query in a base URL would swallow
 * the path appended to it and let the base pick the upstream endpoint). Returned without a
 * trailing slash.
 */
export function parseBaseUrl(value: unknown, field: string, example: string): string {
  const refuse = (why: string): never => {
    throw new ValidationError(`${field} ${why}, e.g. ${example}`, { field });
  };
  if (typeof value !== "string" || value.length === 0 || value.length > 500 || /[\s\0]/.test(value)) return refuse("must be an http(s) URL");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse("must be an http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") refuse("must be an http(s) URL");
  if (url.username || url.password) refuse("must not carry a user name or password (give the key separately)");
  if (url.search || value.includes("?")) refuse("must not have a query string");
  if (url.hash || value.includes("#")) refuse("must not have a fragment");
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** `base` + `path` as a URL whose path is always the base's path followed by `path`. */
export function joinUrl(base: string, path: string): URL {
  const url = new URL(base);
  url.search = "";
  url.hash = "";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  return url;
}
