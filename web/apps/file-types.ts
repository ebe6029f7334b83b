// Which app opens a file, by its MIME type or extension.
export type Opener = "editor" | "viewer" | "audio" | "video" | "pdf" | "info";

const TEXT_EXT = /\.(txt|md|markdown|json|js|mjs|ts|tsx|jsx|css|html?|xml|ya?ml|toml|ini|csv|tsv|log|sh|py|rs|go|c|h|cpp|java|sql|env|conf)$/i;

export function openerFor(name: string, type: string | null): Opener {
  const t = (type ?? "").toLowerCase();
  if (t.startsWith("image/") && !t.includes("svg")) return "viewer";
  if (t.startsWith("audio/")) return "audio";
  if (t.startsWith("video/")) return "video";
  if (t === "application/pdf" || /\.pdf$/i.test(name)) return "pdf";
  if (t.startsWith("text/") || t.includes("json") || t.includes("javascript") || t.includes("xml") || TEXT_EXT.test(name)) return "editor";
  return "info";
}
