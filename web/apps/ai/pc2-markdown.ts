// <pc2-markdown>: renders parseMarkdown's blocks as Lit templates (text only ever becomes text nodes).
import { LitElement, css, html, type TemplateResult } from "lit";
import { parseMarkdown, type Inline } from "./markdown.ts";

function inline(parts: Inline[]): TemplateResult[] {
  return parts.map((p) => {
    if (p.kind === "code") return html`<code>${p.text}</code>`;
    if (p.kind === "strong") return html`<strong>${p.text}</strong>`;
    if (p.kind === "em") return html`<em>${p.text}</em>`;
    if (p.kind === "link") return html`<a href=${p.href} target="_blank" rel="noopener noreferrer">${p.text}</a>`;
    return html`${p.text}`;
  });
}

export class Pc2Markdown extends LitElement {
  static override properties = { text: {} };
  text = "";

  static override styles = css`
    :host { display: block; line-height: 1.5; overflow-wrap: anywhere; }
    p, ul, ol, blockquote, pre, h1, h2, h3, h4, h5, h6 { margin: 0.3rem 0; }
    p { white-space: pre-wrap; }
    pre { background: var(--pc2-code-bg); color: var(--pc2-code-fg); padding: 0.5rem; border-radius: 6px; overflow: auto; }
    code { font-family: ui-monospace, monospace; font-size: 0.92em; }
    blockquote { border-left: 3px solid var(--pc2-border); padding-left: 0.6rem; color: var(--pc2-muted); }
    a { color: var(--pc2-accent); }
  `;

  override render() {
    return parseMarkdown(this.text).map((b) => {
      switch (b.kind) {
        case "heading":
          return html`<p role="heading" aria-level=${b.level}><strong>${inline(b.inlines)}</strong></p>`;
        case "code":
          return html`<pre><code>${b.text}</code></pre>`;
        case "list":
          return b.ordered ? html`<ol>${b.items.map((i) => html`<li>${inline(i)}</li>`)}</ol>` : html`<ul>${b.items.map((i) => html`<li>${inline(i)}</li>`)}</ul>`;
        case "quote":
          return html`<blockquote>${inline(b.inlines)}</blockquote>`;
        default:
          return html`<p>${inline(b.inlines)}</p>`;
      }
    });
  }
}

customElements.define("pc2-markdown", Pc2Markdown);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-markdown": Pc2Markdown;
  }
}
