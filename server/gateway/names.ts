// The rules for a public name (`<name>.<domain>`), as the deployed gateway has them: 3–30
// characters after lowercasing, a letter or digit first, then letters, digits, '-' or '_', and a few
// names kept for the gateway itself.
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{2,29}$/;
export const RESERVED_NAMES = new Set(["admin", "api", "www", "mail", "ftp", "localhost", "root", "system"]);

export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

export function checkName(raw: string): NameCheck {
  const name = raw.trim().toLowerCase();
  if (name.length < 3 || name.length > 30) return { ok: false, reason: "A name has 3 to 30 characters" };
  if (!NAME_PATTERN.test(name)) return { ok: false, reason: "A name starts with a letter or digit and has only letters, digits, '-' and '_'" };
  if (RESERVED_NAMES.has(name)) return { ok: false, reason: `'${name}' is reserved` };
  return { ok: true, name };
}

/** The name a Host header asks for under `domain` (port and case ignored), or null. */
export function nameFromHost(host: string, domain: string): string | null {
  const bare = host.replace(/:\d+$/, "").replace(/\.$/, "").toLowerCase();
  const suffix = `.${domain.toLowerCase()}`;
  if (!bare.endsWith(suffix)) return null;
  const label = bare.slice(0, -suffix.length);
  return NAME_PATTERN.test(label) ? label : null;
}
