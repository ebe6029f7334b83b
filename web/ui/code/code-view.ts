// The CodeMirror 6 view behind <pc2-code-editor>: syntax highlighting chosen by the file's name,
// line numbers, undo history, search (Ctrl+F), bracket matching and folding (CodeMirror's basic
// setup), themed with the desktop's tokens so it follows light and dark. Tab is left to move focus
// (no indent-with-Tab), as in every other control of the desktop. Loaded with the editor only.
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import type { Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { basicSetup } from "codemirror";

export interface CodeView {
  text(): string;
  focus(): void;
  destroy(): void;
}

export interface CodeViewOptions {
  parent: HTMLElement;
  /** The shadow root the view lives in (CodeMirror puts its styles there). */
  root: ShadowRoot;
  doc: string;
  fileName: string;
  /** The accessible name of the text area. */
  label: string;
  onChange: (text: string) => void;
}

/** The language a file's name says, or null (plain text: no highlighting, lines wrap). Each language is a chunk of its own. */
export function languageFor(fileName: string): { name: string; load: () => Promise<Extension> } | null {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? "";
  const js = (name: string, options: { typescript?: boolean; jsx?: boolean }) => ({ name, load: async () => (await import("@codemirror/lang-javascript")).javascript(options) });
  switch (ext) {
    case "js":
    case "mjs":
    case "cjs":
      return js("JavaScript", {});
    case "jsx":
      return js("JavaScript (JSX)", { jsx: true });
    case "ts":
    case "mts":
    case "cts":
      return js("TypeScript", { typescript: true });
    case "tsx":
      return js("TypeScript (JSX)", { typescript: true, jsx: true });
    case "json":
      return { name: "JSON", load: async () => (await import("@codemirror/lang-json")).json() };
    case "css":
      return { name: "CSS", load: async () => (await import("@codemirror/lang-css")).css() };
    case "html":
    case "htm":
      return { name: "HTML", load: async () => (await import("@codemirror/lang-html")).html() };
    case "md":
    case "markdown":
      return { name: "Markdown", load: async () => (await import("@codemirror/lang-markdown")).markdown() };
    case "py":
      return { name: "Python", load: async () => (await import("@codemirror/lang-python")).python() };
    default:
      return null;
  }
}

// Colours are design tokens (styles/base.css), each readable on the code background in both themes.
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.operatorKeyword, tags.definitionKeyword, tags.moduleKeyword], color: "var(--pc2-syntax-keyword)" },
  { tag: [tags.string, tags.special(tags.string), tags.regexp, tags.character], color: "var(--pc2-syntax-string)" },
  { tag: [tags.number, tags.bool, tags.null, tags.atom, tags.unit], color: "var(--pc2-syntax-number)" },
  { tag: [tags.comment, tags.lineComment, tags.blockComment, tags.docComment], color: "var(--pc2-syntax-comment)", fontStyle: "italic" },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName), tags.macroName], color: "var(--pc2-syntax-function)" },
  { tag: [tags.typeName, tags.className, tags.namespace, tags.self], color: "var(--pc2-syntax-type)" },
  { tag: [tags.propertyName, tags.attributeName], color: "var(--pc2-syntax-property)" },
  { tag: [tags.tagName, tags.heading], color: "var(--pc2-syntax-tag)", fontWeight: "600" },
  { tag: tags.emphasis, fontStyle: "italic" },
  { tag: tags.strong, fontWeight: "700" },
  { tag: [tags.link, tags.url], color: "var(--pc2-syntax-string)", textDecoration: "underline" },
  { tag: tags.invalid, color: "var(--pc2-bad)" },
]);

const theme = EditorView.theme({
  "&": { height: "100%", color: "var(--pc2-code-fg)", backgroundColor: "var(--pc2-code-bg)", fontSize: "0.9rem" },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", lineHeight: "1.45" },
  ".cm-content": { caretColor: "var(--pc2-fg)", padding: "0.5rem 0" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--pc2-fg)" },
  ".cm-gutters": { backgroundColor: "var(--pc2-code-bg)", color: "var(--pc2-muted)", borderRight: "1px solid var(--pc2-border)" },
  ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "var(--pc2-hover)" },
  "& .cm-selectionBackground, &.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground": { backgroundColor: "var(--pc2-selected)" },
  ".cm-selectionMatch": { backgroundColor: "var(--pc2-selected)" },
  ".cm-panels": { backgroundColor: "var(--pc2-card)", color: "var(--pc2-fg)" },
  ".cm-panels input, .cm-panels button": { font: "inherit", color: "var(--pc2-fg)", background: "var(--pc2-bg)", border: "1px solid var(--pc2-border)", borderRadius: "6px" },
  ".cm-tooltip": { backgroundColor: "var(--pc2-card)", color: "var(--pc2-fg)", border: "1px solid var(--pc2-border)" },
});

export async function createCodeView(o: CodeViewOptions): Promise<CodeView> {
  const language = await languageFor(o.fileName)?.load();
  const view = new EditorView({
    doc: o.doc,
    root: o.root,
    parent: o.parent,
    extensions: [
      basicSetup,
      theme,
      syntaxHighlighting(highlight),
      language ?? EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "aria-label": o.label, spellcheck: "false", autocapitalize: "off" }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) o.onChange(update.state.doc.toString());
      }),
    ],
  });
  return { text: () => view.state.doc.toString(), focus: () => view.focus(), destroy: () => view.destroy() };
}
