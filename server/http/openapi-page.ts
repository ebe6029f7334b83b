// The OpenAPI document as one HTML page: every operation by section, who may call it, its
// parameters and its JSON body schema. Rendered on the node (no script, nothing from elsewhere).
const esc = (s: unknown) => String(s).replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[c]!);

type Json = Record<string, unknown>;

function access(op: Json): string {
  const a = op["x-pc2-access"] as { role: string | null; scopes: string[] | null } | undefined;
  if (!a) return "";
  if (a.role === null) return "anyone";
  return `${a.role} and above${a.scopes ? `; tokens with ${a.scopes.join(" or ")}` : "; browser sessions only"}`;
}

export function renderApiDocs(doc: Json): string {
  const info = doc.info as { title: string; version: string; description: string };
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const sections = new Map<string, string[]>();
  for (const [path, item] of Object.entries(paths)) {
    const section =
      path
        .split("/")
        .filter(Boolean)
        .slice(0, path.startsWith("/api/") ? 2 : 1)
        .join("/") || "/";
    for (const [method, op] of Object.entries(item)) {
      if (method.startsWith("x-") || method === "parameters") continue;
      const params = ((op.parameters as Json[]) ?? []).map((p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ", required" : ""}) ${esc(p.description ?? "")}</li>`).join("");
      const body = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content;
      const bodies = Object.entries(body ?? {})
        .map(([type, c]) => `<details><summary>Body: ${esc(type)}</summary><pre>${esc(JSON.stringify(c.schema ?? {}, null, 2))}</pre></details>`)
        .join("");
      const row = `<article><h3><span class="m">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3><p class="who">${esc(access(op))}</p>${params ? `<ul>${params}</ul>` : ""}${bodies}</article>`;
      sections.set(section, [...(sections.get(section) ?? []), row]);
    }
    const dav = item["x-webdav-methods"] as string[] | undefined;
    if (dav) sections.set(section, [...(sections.get(section) ?? []), `<article><h3><code>${esc(path)}</code></h3><p>WebDAV methods: ${esc(dav.join(", "))} (docs/webdav.md)</p></article>`]);
  }
  const toc = [...sections.keys()].map((s) => `<a href="#${esc(s)}">${esc(s)}</a>`).join(" · ");
  const body = [...sections].map(([s, rows]) => `<section id="${esc(s)}"><h2>${esc(s)}</h2>${rows.join("")}</section>`).join("");
  return `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} API ${esc(info.version)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b2230}h3{font-size:1rem;margin:.2rem 0}
article{border-top:1px solid #d8dde6;padding:.5rem 0}.m{display:inline-block;min-width:4.5rem;font:600 .8rem monospace;color:#1d4ed8}.who{color:#5b6475;margin:.1rem 0}
pre{background:#f3f5f9;padding:.5rem;overflow:auto;font-size:.8rem}code{font-size:.9rem}nav{line-height:2}</style>
<h1>${esc(info.title)} API <small>${esc(info.version)}</small></h1><p>${esc(info.description)} The machine-readable document is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<nav>${toc}</nav>${body}</html>`;
}
