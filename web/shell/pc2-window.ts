// <pc2-window>: a movable, resizable window with minimise, maximise and close; changes go up as events.
import { LitElement, css, html } from "lit";
import { sharedStyles } from "../ui/shared-styles.ts";

export interface WindowGeometry {
  x: number;
  y: number;
  w: number;
  h: number;
}

export class Pc2Window extends LitElement {
  static override properties = {
    windowId: { type: String, attribute: "window-id" },
    heading: { type: String },
    geometry: { attribute: false },
    z: { type: Number },
    maximized: { type: Boolean, reflect: true },
    active: { type: Boolean, reflect: true },
    compact: { type: Boolean, reflect: true },
  };
  windowId = "";
  heading = "";
  geometry: WindowGeometry = { x: 60, y: 40, w: 640, h: 420 };
  z = 1;
  maximized = false;
  active = false;
  /** On a phone or tablet: always full screen, nothing to move, resize or maximise. */
  compact = false;

  static override styles = [
    sharedStyles,
    css`
      :host { position: absolute; display: flex; flex-direction: column; background: var(--pc2-card); border: 1px solid var(--pc2-border);
        border-radius: var(--pc2-radius); box-shadow: var(--pc2-shadow); overflow: hidden; min-width: 260px; min-height: 180px; }
      :host([hidden]) { display: none; }
      :host([active]) { border-color: var(--pc2-accent); }
      :host([compact]) header { cursor: default; }
      :host([compact]) header button { min-width: 44px; min-height: 40px; }
      :host([compact]) .grip, :host([compact]) .maximise { display: none; }
      :host(:focus-visible) { outline: none; box-shadow: var(--pc2-focus); }
      :host([maximized]) { inset: 0 0 var(--pc2-taskbar-h, 48px) 0 !important; width: auto !important; height: auto !important; border-radius: 0; }
      header { display: flex; align-items: center; gap: 0.5rem; padding: 0.35rem 0.5rem 0.35rem 0.8rem; background: var(--pc2-card-2);
        cursor: grab; user-select: none; touch-action: none; }
      header h2 { flex: 1; margin: 0; font-size: 0.95rem; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      header button { padding: 0.15rem 0.55rem; }
      .body { flex: 1; overflow: auto; position: relative; }
      .grip { position: absolute; right: 0; bottom: 0; width: 16px; height: 16px; cursor: nwse-resize; touch-action: none; }
      @media (max-width: 600px) { :host { inset: 0 0 var(--pc2-taskbar-h, 48px) 0 !important; width: auto !important; height: auto !important; border-radius: 0; } .grip { display: none; } }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    // A tab stop of its own, so keyboard users reach it (and what is in it) and can tell which window
    // is active. Not -1: a shadow host with a negative tabindex takes its whole contents out of the
    // Tab order.
    if (!this.hasAttribute("tabindex")) this.tabIndex = 0;
    this.setAttribute("role", "dialog");
  }

  override updated(): void {
    this.setAttribute("aria-label", this.heading);
    const { x, y, w, h } = this.geometry;
    Object.assign(this.style, { left: `${x}px`, top: `${y}px`, width: `${w}px`, height: `${h}px`, zIndex: String(this.z) });
  }

  private emit(type: string, detail: unknown = this.windowId): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** Track the pointer and report geometry changes (move or resize). */
  private drag(e: PointerEvent, mode: "move" | "resize"): void {
    if (this.maximized || this.compact || (e.target as HTMLElement).closest("button")) return;
    e.preventDefault();
    const start = { px: e.clientX, py: e.clientY, ...this.geometry };
    const target = e.currentTarget as HTMLElement;
    target.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent) => {
      const dx = ev.clientX - start.px;
      const dy = ev.clientY - start.py;
      const next =
        mode === "move" ? { ...start, x: Math.max(-start.w + 80, start.x + dx), y: Math.max(0, start.y + dy) } : { ...start, w: Math.max(260, start.w + dx), h: Math.max(180, start.h + dy) };
      this.emit("window-geometry", { id: this.windowId, geometry: { x: next.x, y: next.y, w: next.w, h: next.h } });
    };
    const up = () => {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", up);
    };
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", up);
  }

  override render() {
    return html`<header @pointerdown=${(e: PointerEvent) => (this.emit("window-focus"), this.drag(e, "move"))} @dblclick=${() => !this.compact && this.emit("window-maximize")}>
        <h2>${this.heading}</h2>
        <button aria-label="Minimise" title="Minimise" @click=${() => this.emit("window-minimize")}>–</button>
        <button class="maximise" aria-label=${this.maximized ? "Restore" : "Maximise"} title="Maximise" @click=${() => this.emit("window-maximize")}>□</button>
        <button aria-label="Close" title="Close" @click=${() => this.emit("window-close")}>×</button>
      </header>
      <div class="body" @pointerdown=${() => this.emit("window-focus")}><slot></slot></div>
      <div class="grip" aria-hidden="true" @pointerdown=${(e: PointerEvent) => this.drag(e, "resize")}></div>`;
  }
}

customElements.define("pc2-window", Pc2Window);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-window": Pc2Window;
  }
}
