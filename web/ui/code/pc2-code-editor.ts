// <pc2-code-editor>: a text file's contents, editable, with syntax highlighting for the languages
// code-view.ts knows. CodeMirror is a chunk of its own, fetched when the first editor opens.
// `value` is the text it starts with; `text` is what it holds now; every change fires `text-change`
// (its detail: the whole text).
import { LitElement, css, html } from "lit";
import type { CodeView } from "./code-view.ts";

export class Pc2CodeEditor extends LitElement {
  static override properties = { value: { attribute: false }, fileName: { attribute: false }, label: { attribute: false } };
  value = "";
  fileName = "";
  label = "";
  private view: CodeView | null = null;
  private mounting = false;

  static override styles = css`
    :host { display: block; min-height: 0; overflow: hidden; background: var(--pc2-code-bg); }
    :host(:focus-within) { box-shadow: inset var(--pc2-focus); }
    .view { height: 100%; }
  `;

  /** The text as it is now (the starting value until the view is up). */
  get text(): string {
    return this.view?.text() ?? this.value;
  }

  override focus(): void {
    this.view?.focus();
  }

  override render() {
    return html`<div class="view"></div>`;
  }

  override firstUpdated(): void {
    void this.mount();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the page (disconnected, then connected again): the view comes back with its text.
    if (this.hasUpdated && !this.view) void this.mount();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.view) this.value = this.view.text();
    this.view?.destroy();
    this.view = null;
  }

  private async mount(): Promise<void> {
    if (this.mounting) return;
    this.mounting = true;
    try {
      const { createCodeView } = await import("./code-view.ts");
      const view = await createCodeView({
        parent: this.renderRoot.querySelector(".view") as HTMLElement,
        root: this.renderRoot as ShadowRoot,
        doc: this.value,
        fileName: this.fileName,
        label: this.label,
        onChange: (text) => this.dispatchEvent(new CustomEvent("text-change", { detail: text })),
      });
      // Closed while CodeMirror was on its way: nothing to show it in.
      if (this.isConnected && !this.view) this.view = view;
      else view.destroy();
    } finally {
      this.mounting = false;
    }
  }
}

customElements.define("pc2-code-editor", Pc2CodeEditor);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-code-editor": Pc2CodeEditor;
  }
}
