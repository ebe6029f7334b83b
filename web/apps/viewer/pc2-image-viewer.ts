// <pc2-image-viewer>: shows an image from the owner's files (served by /ipfs/<cid>, owner-only until
// shared), fitted to the window or zoomed (buttons, + and −, 0 to fit), and the other images of its
// folder with Previous / Next (← and →).
import { LitElement, css, html, nothing } from "lit";
import { api } from "../../api/rest-client.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { type Entry, homePath } from "../files/entry.ts";

const ZOOMS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4];
const isImage = (e: Entry) => !e.is_dir && (e.type ?? "").startsWith("image/") && !(e.type ?? "").includes("svg") && e.cid !== null;

export class Pc2ImageViewer extends LitElement {
  static override properties = { file: { attribute: false }, shown: { state: true }, failed: { state: true }, zoom: { state: true }, siblings: { state: true } };
  /** The file the window was opened on (the desktop sets it again on each of its renders). */
  file: (Pick<Entry, "name" | "cid"> & Partial<Entry>) | null = null;
  /** The image on screen: the file opened on, or where Previous / Next went since. */
  shown: (Pick<Entry, "name" | "cid"> & Partial<Entry>) | null = null;
  failed = false;
  /** null: fitted to the window; otherwise the scale. */
  zoom: number | null = null;
  /** The folder's images, in name order, for Previous / Next. */
  siblings: Entry[] = [];

  static override styles = [
    sharedStyles,
    css`
      :host { display: flex; flex-direction: column; height: 100%; background: #0b0f18; color: #e8ecf4; }
      .bar { display: flex; gap: 0.4rem; align-items: center; padding: 0.35rem 0.5rem; background: rgba(0, 0, 0, 0.35); flex-wrap: wrap; }
      .bar .name { flex: 1; min-width: 6rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .bar button { padding: 0.2rem 0.6rem; background: #1f2940; color: #e8ecf4; border-color: #2a3550; }
      .stage { flex: 1; overflow: auto; display: grid; place-items: center; outline: none; }
      .stage.fit img { max-width: 100%; max-height: 100%; object-fit: contain; }
    `,
  ];

  override firstUpdated(): void {
    void this.loadSiblings();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("file")) this.shown = this.file;
  }

  private async loadSiblings(): Promise<void> {
    const path = this.file?.path;
    if (!path) return;
    const folder = homePath(path.slice(0, path.lastIndexOf("/")));
    try {
      const items = await api.post<Entry[]>("/readdir", { path: folder, sort_by: "name", sort_order: "asc" });
      this.siblings = items.filter(isImage);
    } catch {
      this.siblings = [];
    }
  }

  private step(by: number): void {
    const i = this.siblings.findIndex((e) => e.uid === this.shown?.uid);
    const next = this.siblings[i + by];
    if (i < 0 || !next) return;
    this.shown = next;
    this.failed = false;
    this.zoom = null;
    this.dispatchEvent(new CustomEvent("app-title", { detail: next.name, bubbles: true, composed: true }));
  }

  private zoomBy(dir: 1 | -1): void {
    const img = this.renderRoot.querySelector("img");
    const current = this.zoom ?? (img && img.naturalWidth ? img.clientWidth / img.naturalWidth : 1);
    const next = dir > 0 ? ZOOMS.find((z) => z > current + 0.01) : [...ZOOMS].reverse().find((z) => z < current - 0.01);
    if (next) this.zoom = next;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === "ArrowRight") this.step(1);
    else if (e.key === "ArrowLeft") this.step(-1);
    else if (e.key === "+" || e.key === "=") this.zoomBy(1);
    else if (e.key === "-") this.zoomBy(-1);
    else if (e.key === "0") this.zoom = null;
    else return;
    e.preventDefault();
  }

  override render() {
    const file = this.shown;
    if (!file?.cid || this.failed) return html`<p class="error" role="alert">This image cannot be shown.</p>`;
    const i = this.siblings.findIndex((e) => e.uid === file.uid);
    const many = i >= 0 && this.siblings.length > 1;
    const scale = this.zoom;
    return html`<div class="bar">
        <span class="name">${file.name}${many ? html` <span class="count">(${i + 1} of ${this.siblings.length})</span>` : nothing}</span>
        ${many ? html`<button ?disabled=${i === 0} @click=${() => this.step(-1)}>Previous</button><button ?disabled=${i === this.siblings.length - 1} @click=${() => this.step(1)}>Next</button>` : nothing}
        <button aria-label="Zoom out" @click=${() => this.zoomBy(-1)}>−</button>
        <span data-testid="zoom" aria-live="polite">${scale === null ? "Fit" : `${Math.round(scale * 100)}%`}</span>
        <button aria-label="Zoom in" @click=${() => this.zoomBy(1)}>+</button>
        <button ?disabled=${scale === null} @click=${() => (this.zoom = null)}>Fit</button>
      </div>
      <div class="stage ${scale === null ? "fit" : ""}" tabindex="0" role="group" aria-label="Image (← → other images, + − zoom, 0 fit)" @keydown=${this.onKey}>
        <img src=${`/ipfs/${file.cid}`} alt=${file.name} @error=${() => (this.failed = true)}
          style=${scale === null ? "" : "max-width:none"} @load=${(e: Event) => scale !== null && this.applyScale(e.target as HTMLImageElement, scale)} />
      </div>`;
  }

  /** A scale is of the image's own size, not the window's. */
  private applyScale(img: HTMLImageElement, scale: number): void {
    img.style.width = `${Math.round(img.naturalWidth * scale)}px`;
  }

  override updated(): void {
    const img = this.renderRoot.querySelector("img");
    if (!img) return;
    if (this.zoom === null) img.style.width = "";
    else if (img.complete && img.naturalWidth) this.applyScale(img, this.zoom);
  }
}

customElements.define("pc2-image-viewer", Pc2ImageViewer);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-image-viewer": Pc2ImageViewer;
  }
}
