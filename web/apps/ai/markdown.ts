// A small Markdown reader for chat replies: text in, plain data out (no HTML is ever produced from
// the model's text, so nothing it writes can run in the page). Paragraphs, headings, fenced code,
// lists, block quotes; inline code, bold, italic and http(s) links.

export type Inline = { kind: "text" | "code" | "strong" | "em"; text: string } | { kind: "link"; text: string; href: string };
export type Block =
  | { kind: "paragraph"; inlines: Inline[] }
  | { kind: "heading"; level: number; inlines: Inline[] }
  | { kind: "code"; lang: string; text: string }
  | { kind: "list"; ordered: boolean; items: Inline[][] }
  | { kind: "quote"; inlines: Inline[] };

const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*)|(\*[^*\n]+\*|_[^_\n]+_)|(\[[^\]\n]+\]\([^)\s]+\))/g;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push({ kind: "text", text: text.slice(last, m.index) });
    const s = m[0];
    if (m[1]) out.push({ kind: "code", text: s.slice(1, -1) });
    else if (m[2]) out.push({ kind: "strong", text: s.slice(2, -2) });
    else if (m[3]) out.push({ kind: "em", text: s.slice(1, -1) });
    else {
      const [, label, href] = /^\[([^\]]+)\]\(([^)]+)\)$/.exec(s)!;
      // Only web links; anything else (javascript:, data:) stays text.
      out.push(/^https?:\/\//i.test(href!) ? { kind: "link", text: label!, href: href! } : { kind: "text", text: s });
    }
    last = m.index + s.length;
  }
  if (last < text.length) out.push({ kind: "text", text: text.slice(last) });
  return out;
}

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: "paragraph", inlines: parseInline(paragraph.join("\n")) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^```\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !/^```\s*$/.test(lines[i]!)) code.push(lines[i]!);
      blocks.push({ kind: "code", lang: fence[1] ?? "", text: code.join("\n") }); // an unclosed fence runs to the end (a reply still streaming)
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: "heading", level: heading[1]!.length, inlines: parseInline(heading[2]!) });
    } else if (item) {
      flush();
      const ordered = item[2] !== undefined;
      const prev = blocks.at(-1);
      if (prev?.kind === "list" && prev.ordered === ordered) prev.items.push(parseInline(item[3]!));
      else blocks.push({ kind: "list", ordered, items: [parseInline(item[3]!)] });
    } else if (line.startsWith(">")) {
      flush();
      blocks.push({ kind: "quote", inlines: parseInline(line.replace(/^>\s?/, "")) });
    } else if (line.trim() === "") flush();
    else paragraph.push(line);
  }
  flush();
  return blocks;
}
