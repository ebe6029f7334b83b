// <pc2-pdf-viewer>: a PDF from the owner's files, drawn page by page by pdf.js (Mozilla's, the
// viewer Firefox uses) in its own worker; this module and the worker load only when a PDF opens.
// Pages are drawn as they scroll into sight; the document is read with HTTP ranges from /ipfs/<cid>.
import { LitElement, css, html, nothing } from "lit";
import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy } from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs" with { type: "file" };
import { sharedStyles } from "../../ui/shared-styles.ts";

// The worker file sits beside this chunk in the built desktop.
GlobalWorkerOptions.workerSrc = new URL(workerUrl, import.meta.url).href;

export class Pc2PdfViewer extends LitElement {
  static override properties = { file: { attribute: false }, pages: { state: true }, problem: { state: true }, scale: { state: true } };
  file: { name: string; cid: string | null } | null = null;
  pages = 0;
  problem: string | null = null;
  scale = 1.2;
  private doc: PDFDocumentProxy | null = null;
  private drawn = new Set<number>();
  private observer: IntersectionObserver | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: flex; flex-direction: column; height: 100%; background: #525659; }
      .bar { display: flex; gap: 0.4rem; align-items: center; padding: 0.35rem 0.5rem; background: var(--pc2-card-2); }
      .bar .name { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .pages { flex: 1; overflow: auto; display: grid; justify-items: center; gap: 0.75rem; padding: 0.75rem; }
      canvas { background: #fff; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.4); max-width: 100%; height: auto; }
    `,
  ];

  /** After the first update: the element may be upgraded after the desktop set `file` (this module loads late). */
  override firstUpdated(): void {
    void this.open();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    void this.doc?.loadingTask.destroy();
  }

  private async open(): Promise<void> {
    if (!this.file?.cid) return void (this.problem = "This PDF cannot be shown.");
    try {
      this.doc = await getDocument({ url: `/ipfs/${this.file.cid}` }).promise;
      this.pages = this.doc.numPages;
    } catch (err) {
      this.problem = `This PDF cannot be shown: ${(err as Error).message}`;
    }
  }

  override updated(changed: Map<string, unknown>): void {
    if (!changed.has("pages") && !changed.has("scale")) return;
    if (changed.has("scale")) this.drawn.clear();
    this.observer?.disconnect();
    this.observer = new IntersectionObserver(
      (seen) => {
        for (const e of seen) if (e.isIntersecting) void this.draw(Number((e.target as HTMLElement).dataset.page));
      },
      { root: this.renderRoot.querySelector(".pages"), rootMargin: "400px" },
    );
    for (const c of this.renderRoot.querySelectorAll("canvas")) this.observer.observe(c);
  }

  private async draw(n: number): Promise<void> {
    if (!this.doc || this.drawn.has(n)) return;
    this.drawn.add(n);
    const page = await this.doc.getPage(n);
    const viewport = page.getViewport({ scale: this.scale * (window.devicePixelRatio || 1) });
    const canvas = this.renderRoot.querySelector<HTMLCanvasElement>(`canvas[data-page="${n}"]`);
    if (!canvas) return;
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = `${Math.floor(viewport.width / (window.devicePixelRatio || 1))}px`;
    await page.render({ canvas, viewport }).promise;
    canvas.dataset.drawn = "true";
  }

  override render() {
    if (this.problem) return html`<p class="error" role="alert" style="padding:1rem">${this.problem}</p>`;
    return html`<div class="bar">
        <span class="name">${this.file?.name}${this.pages ? html` <span class="muted">(${this.pages} page${this.pages === 1 ? "" : "s"})</span>` : nothing}</span>
        <button aria-label="Zoom out" @click=${() => (this.scale = Math.max(0.5, this.scale - 0.2))}>−</button>
        <button aria-label="Zoom in" @click=${() => (this.scale = Math.min(3, this.scale + 0.2))}>+</button>
      </div>
      <div class="pages" tabindex="0" role="region" aria-label=${`Pages of ${this.file?.name ?? "the document"}`} aria-busy=${String(this.pages === 0)}>
        ${Array.from({ length: this.pages }, (_, i) => html`<canvas data-page=${i + 1} role="img" aria-label=${`Page ${i + 1}`} width="612" height="792"></canvas>`)}
      </div>`;
  }
}

customElements.define("pc2-pdf-viewer", Pc2PdfViewer);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-pdf-viewer": Pc2PdfViewer;
  }
}
