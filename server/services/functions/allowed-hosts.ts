// Which hosts a function may fetch, in Deno's --allow-net terms: a host name or IP address, with an
// optional port ("api.example.com", "api.example.com:8443", "[2001:db8::1]:443"), or "*" for any
// host. Private and loopback addresses stay refused whatever the list says (outbound-fetch.ts).

const ENTRY = /^(?:\*|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?)$/;
export const MAX_ALLOWED_HOSTS = 64;

/** The entries, lower-cased and checked; throws a message naming the first bad one. */
export function parseAllowedHosts(entries: string[]): string[] {
  if (entries.length > MAX_ALLOWED_HOSTS) throw new Error(`At most ${MAX_ALLOWED_HOSTS} allowed hosts`);
  return entries.map((raw) => {
    const entry = raw.trim().toLowerCase();
    const port = /:(\d{1,5})$/.exec(entry)?.[1];
    if (!ENTRY.test(entry) || (port !== undefined && (Number(port) < 1 || Number(port) > 65535)))
      throw new Error(`${JSON.stringify(raw).slice(0, 80)} is not a host name, an IP address or "*" (with an optional :port)`);
    return entry;
  });
}

export function hostAllowed(allowed: readonly string[], url: URL): boolean {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const host = url.hostname.toLowerCase();
  return allowed.some((entry) => entry === "*" || entry === host || entry === `${host}:${port}`);
}
