// <pc2-editor-app>: open a text file, edit (with syntax highlighting for code: ui/code/), save
// (overwrite in place); unsaved changes are never lost silently. A Markdown file opens rendered
// (safely: its text never becomes HTML), with Edit beside.
import { readText, writeText } from "../../api/files-api.ts";
import { LitElement, css, html, nothing } from "lit";
import { sharedStyles } from "../../ui/shared-styles.ts";
import "../ai/pc2-markdown.ts";
import "../../ui/code/pc2-code-editor.ts";

export interface OpenFile {
  uid: string;
  name: string;
  path: string;
}

export class Pc2EditorApp extends LitElement {
  static override properties = {
    file: { attribute: false },
    text: { state: true },
    dirty: { state: true },
    status: { state: true },
    confirmClose: { state: true },
    previewing: { state: true },
  };
  /** A Markdown file is shown rendered until the user asks to edit it. */
  previewing = false;
  file: OpenFile | null = null;
  text = "";
  dirty = false;
  status: "loading" | "ready" | "saving" | "error" = "loading";
  confirmClose = false;
  private error = "";

  static override styles = [
    sharedStyles,
    css`
      :host { display: flex; flex-direction: column; height: 100%; }
      .bar { display: flex; gap: 0.5rem; align-items: center; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--pc2-border); }
      .bar .name { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      pc2-code-editor { flex: 1; }
      .preview { flex: 1; overflow: auto; padding: 0.8rem 1rem; }
      .guard { display: flex; gap: 0.5rem; align-items: center; padding: 0.5rem 0.6rem; background: rgba(245, 185, 68, 0.12); border-top: 1px solid var(--pc2-warn); }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("beforeunload", this.onUnload);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("beforeunload", this.onUnload);
  }

  /** Leaving the page with unsaved changes asks first (the browser's own prompt). */
  private onUnload = (e: BeforeUnloadEvent) => {
    if (this.dirty) e.preventDefault();
  };

  /** Asked by the desktop before closing the window: false keeps it open and shows the guard. */
  canClose(): boolean {
    if (!this.dirty) return true;
    this.confirmClose = true;
    return false;
  }

  private async load(): Promise<void> {
    if (!this.file) return;
    try {
      this.text = await readText(this.file.uid);
      this.previewing = /\.(md|markdown)$/i.test(this.file.name);
      this.status = "ready";
    } catch (err) {
      this.status = "error";
      this.error = (err as Error).message;
    }
  }

  async save(): Promise<boolean> {
    if (!this.file) return false;
    this.status = "saving";
    const dir = this.file.path.slice(0, this.file.path.lastIndexOf("/")) || "/";
    try {
      await writeText(dir, this.file.name, this.text);
    } catch (err) {
      this.status = "error";
      this.error = (err as Error).message;
      return false;
    }
    this.dirty = false;
    this.status = "ready";
    return true;
  }

  private requestClose(): void {
    this.dirty = false;
    this.dispatchEvent(new CustomEvent("app-close", { bubbles: true, composed: true }));
  }

  private onKey(e: KeyboardEvent): void {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      void this.save();
    }
  }

  override render() {
    if (this.status === "loading") return html`<p class="muted" style="padding:1rem" aria-busy="true">Opening…</p>`;
    return html`
      <div class="bar">
        <span class="name">${this.file?.name}${this.dirty ? html` <span class="muted" data-testid="dirty">● unsaved</span>` : nothing}</span>
        ${this.status === "error" ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
        ${
          /\.(md|markdown)$/i.test(this.file?.name ?? "")
            ? html`<button aria-pressed=${String(this.previewing)} @click=${() => (this.previewing = !this.previewing)}>${this.previewing ? "Edit" : "Preview"}</button>`
            : nothing
        }
        <button class="primary" ?disabled=${!this.dirty || this.status === "saving"} @click=${() => this.save()}>${this.status === "saving" ? "Saving…" : "Save"}</button>
      </div>
      ${
        this.previewing
          ? html`<pc2-markdown class="preview" data-testid="markdown-preview" .text=${this.text}></pc2-markdown>`
          : html`<pc2-code-editor .value=${this.text} .fileName=${this.file?.name ?? ""} .label=${`Contents of ${this.file?.name}`} @keydown=${this.onKey}
        @text-change=${(e: CustomEvent<string>) => ((this.text = e.detail), (this.dirty = true))}></pc2-code-editor>`
      }
      ${
        this.confirmClose
          ? html`<div class="guard" role="alertdialog" aria-label="Unsaved changes">
            <span style="flex:1">This file has unsaved changes.</span>
            <button class="primary" @click=${async () => (await this.save()) && this.requestClose()}>Save and close</button>
            <button @click=${() => this.requestClose()}>Discard</button>
            <button @click=${() => (this.confirmClose = false)}>Keep editing</button>
          </div>`
          : nothing
      }
    `;
  }
}

customElements.define("pc2-editor-app", Pc2EditorApp);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-editor-app": Pc2EditorApp;
  }
}
