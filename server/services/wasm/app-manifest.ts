// A WASM app's manifest: name, description, icon and argument schema, validated field by field.
import { ValidationError } from "../../errors.ts";

export interface ArgSpec {
  name: string;
  label: string;
  type: "string" | "number";
  required: boolean;
  default?: string;
}

export interface AppManifest {
  name: string;
  description: string;
  /** A short text icon (an emoji) or a data: URL of a PNG, JPEG, WebP or GIF image. */
  icon: string | null;
  args: ArgSpec[];
}

export const APP_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const ARG_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const DATA_ICON = /^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+/]+={0,2}$/;
const MAX_ICON = 48 * 1024;
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(value: unknown, field: string, max: number, optional = false): string | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== "string" || value.length > max || CONTROL.test(value.replace(/\n/g, ""))) throw new ValidationError(`${field} must be text of at most ${max} characters`, { field });
  return value;
}

function icon(value: unknown): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value === "string" && value.length <= MAX_ICON && DATA_ICON.test(value)) return value;
  if (typeof value === "string" && [...value].length <= 4 && !CONTROL.test(value) && !/[<>"'&]/.test(value)) return value;
  throw new ValidationError("icon must be up to 4 characters (an emoji) or a data: URL of a PNG, JPEG, WebP or GIF image under 48 KiB", { field: "icon" });
}

function argSpec(value: unknown, i: number): ArgSpec {
  const field = `args[${i}]`;
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ValidationError(`${field} must be an object`, { field });
  const v = value as Record<string, unknown>;
  if (typeof v.name !== "string" || !ARG_NAME.test(v.name)) throw new ValidationError(`${field}.name must be 1–32 letters, digits, - or _`, { field: `${field}.name` });
  if (v.type !== undefined && v.type !== "string" && v.type !== "number") throw new ValidationError(`${field}.type must be "string" or "number"`, { field: `${field}.type` });
  if (v.required !== undefined && typeof v.required !== "boolean") throw new ValidationError(`${field}.required must be true or false`, { field: `${field}.required` });
  const spec: ArgSpec = { name: v.name, label: text(v.label, `${field}.label`, 100, true) ?? v.name, type: v.type ?? "string", required: v.required ?? false };
  const fallback = text(v.default, `${field}.default`, 1000, true);
  if (fallback !== undefined) spec.default = fallback;
  return spec;
}

/** Validate a manifest from a client (JSON text or an object). */
export function parseManifest(raw: unknown): AppManifest {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ValidationError("The manifest is not valid JSON", { field: "manifest" });
    }
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ValidationError("The manifest must be a JSON object", { field: "manifest" });
  const m = value as Record<string, unknown>;
  const known = new Set(["name", "description", "icon", "args"]);
  const unknown = Object.keys(m).filter((k) => !known.has(k));
  if (unknown.length) throw new ValidationError(`Unknown manifest fields: ${unknown.join(", ")}`, { field: "manifest" });
  if (typeof m.name !== "string" || !APP_NAME.test(m.name)) throw new ValidationError("name must be 1–40 lower-case letters, digits or -, starting with a letter or digit", { field: "name" });
  if (m.args !== undefined && (!Array.isArray(m.args) || m.args.length > 32)) throw new ValidationError("args must be a list of at most 32 argument descriptions", { field: "args" });
  return {
    name: m.name,
    description: text(m.description ?? "", "description", 500)!,
    icon: icon(m.icon),
    args: ((m.args as unknown[] | undefined) ?? []).map(argSpec),
  };
}
