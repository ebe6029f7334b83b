// An icon for each kind of entry (inline SVG, nothing fetched): folders, the Trash, images, audio,
// video, PDFs, archives, text and code, anything else.
import { svg, type SVGTemplateResult } from "lit";
import { icons } from "../../ui/icons.ts";
import type { Entry } from "./entry.ts";

/** A page with a coloured band and a glyph: every file icon shares the shape. */
const page = (band: string, glyph: SVGTemplateResult) =>
  svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><path fill="#93a0b8" d="M6 2h8l5 5v13a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z"/><path fill="#5d6b86" d="M14 2v5h5"/><rect x="4" y="13" width="15" height="7" fill=${band}/>${glyph}</svg>`;

const KINDS = {
  image: page("#2f9e6e", svg`<path d="M6 19l3-4 2 2 2-3 3 5z" fill="#fff"/>`),
  audio: page("#c0568f", svg`<path d="M10 14v4.2a1.3 1.3 0 1 1-1-1.2V14h4v1.5h-3z" fill="#fff"/>`),
  video: page("#d9663a", svg`<path d="M9.5 14.3v4.4l3.8-2.2z" fill="#fff"/>`),
  pdf: page("#d94848", svg`<text x="11.5" y="18.6" font-size="5" font-family="sans-serif" font-weight="700" text-anchor="middle" fill="#fff">PDF</text>`),
  archive: page("#b08a2e", svg`<path d="M11 13h1.5v1h-1.5zm0 2h1.5v1h-1.5zm0 2h1.5v2h-1.5z" fill="#fff"/>`),
  code: page("#4a6fd1", svg`<path d="M9.5 14.5l-2 2 2 2M13.5 14.5l2 2-2 2" stroke="#fff" stroke-width="1.1" fill="none"/>`),
  text: page("#6b7a96", svg`<path d="M7 15h9M7 17h9M7 19h6" stroke="#fff" stroke-width="0.9"/>`),
};

const trashIcon = svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><path fill="#93a0b8" d="M5 7h14l-1.2 13a2 2 0 0 1-2 1.8H8.2a2 2 0 0 1-2-1.8z"/><rect x="3.5" y="4" width="17" height="2.5" rx="1" fill="#b4bfd4"/><path fill="#b4bfd4" d="M9.5 2.5h5v1.5h-5z"/><path d="M10 10v8M14 10v8" stroke="#5d6b86" stroke-width="1.3"/></svg>`;

const CODE = /\.(js|mjs|cjs|ts|tsx|jsx|json|css|html?|xml|ya?ml|toml|sh|py|rs|go|c|h|cpp|java|sql|rb|php)$/i;
const ARCHIVE = /\.(zip|tar|gz|tgz|bz2|xz|7z|rar|zst)$/i;

export type FileKind = keyof typeof KINDS | "folder" | "trash" | "file";

export function kindOf(e: Pick<Entry, "name" | "type" | "is_dir">, isTrashFolder = false): FileKind {
  if (isTrashFolder) return "trash";
  if (e.is_dir) return "folder";
  const t = (e.type ?? "").toLowerCase();
  if (t.startsWith("image/")) return "image";
  if (t.startsWith("audio/")) return "audio";
  if (t.startsWith("video/")) return "video";
  if (t.includes("pdf")) return "pdf";
  if (ARCHIVE.test(e.name) || /zip|x-tar|gzip|compressed/.test(t)) return "archive";
  if (CODE.test(e.name) || t.includes("javascript") || t.includes("json")) return "code";
  if (t.startsWith("text/") || /\.(txt|md|markdown|csv|log|ini|conf)$/i.test(e.name)) return "text";
  return "file";
}

export function iconFor(e: Pick<Entry, "name" | "type" | "is_dir">, isTrashFolder = false): SVGTemplateResult {
  const kind = kindOf(e, isTrashFolder);
  if (kind === "trash") return trashIcon;
  if (kind === "folder") return icons.folder;
  if (kind === "file") return icons.file;
  return KINDS[kind];
}
