// The chat's Markdown reader: structure out, never HTML; unsafe links stay text.
import { expect, test } from "bun:test";
import { parseInline, parseMarkdown } from "../../web/apps/ai/markdown.ts";

test("blocks: headings, paragraphs, fenced code, lists, quotes", () => {
  const md = "# Title\nSome **bold** and *em* text\nsecond line\n\n```ts\nconst x = 1;\n```\n- one\n- two `code`\n1. first\n2. second\n> quoted";
  expect(parseMarkdown(md)).toEqual([
    { kind: "heading", level: 1, inlines: [{ kind: "text", text: "Title" }] },
    {
      kind: "paragraph",
      inlines: [
        { kind: "text", text: "Some " },
        { kind: "strong", text: "bold" },
        { kind: "text", text: " and " },
        { kind: "em", text: "em" },
        { kind: "text", text: " text\nsecond line" },
      ],
    },
    { kind: "code", lang: "ts", text: "const x = 1;" },
    {
      kind: "list",
      ordered: false,
      items: [
        [{ kind: "text", text: "one" }],
        [
          { kind: "text", text: "two " },
          { kind: "code", text: "code" },
        ],
      ],
    },
    { kind: "list", ordered: true, items: [[{ kind: "text", text: "first" }], [{ kind: "text", text: "second" }]] },
    { kind: "quote", inlines: [{ kind: "text", text: "quoted" }] },
  ]);
});

test("a code fence still open (a reply mid-stream) runs to the end", () => {
  expect(parseMarkdown("```\nline 1\nline 2")).toEqual([{ kind: "code", lang: "", text: "line 1\nline 2" }]);
});

test("HTML is text, and only http(s) links become links", () => {
  expect(parseInline("<script>alert(1)</script>")).toEqual([{ kind: "text", text: "<script>alert(1)</script>" }]);
  expect(parseInline("[ok](https://example.com) [bad](javascript:alert(1))")).toEqual([
    { kind: "link", text: "ok", href: "https://example.com" },
    { kind: "text", text: " " },
    { kind: "text", text: "[bad](javascript:alert(1)" },
    { kind: "text", text: ")" },
  ]);
});
