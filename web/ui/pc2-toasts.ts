// <pc2-toasts>: short notices ("Public link copied") raised anywhere below it with a `toast` event.
import { LitElement, css, html } from "lit";

interface Toast {
  id: number;
  text: string;
  kind: "info" | "error";
}

export class Pc2Toasts extends LitElement {
  static override properties = { toasts: { state: true } };
  toasts: Toast[] = [];
  private nextId = 1;

  static override styles = css`
    :host { position: fixed; right: 1rem; bottom: 4rem; display: grid; gap: 0.5rem; z-index: 300000; }
    div { background: var(--pc2-card-2); border: 1px solid var(--pc2-border); border-left: 4px solid var(--pc2-accent); padding: 0.6rem 0.9rem;
      border-radius: 8px; box-shadow: 0 8px 24px rgba(0, 0, 0, 0.4); max-width: 22rem; overflow-wrap: anywhere; }
    div.error { border-left-color: var(--pc2-bad); }
  `;

  show(text: string, kind: Toast["kind"] = "info"): void {
    const toast = { id: this.nextId++, text, kind };
    this.toasts = [...this.toasts, toast];
    setTimeout(() => (this.toasts = this.toasts.filter((t) => t.id !== toast.id)), 4000);
  }

  override render() {
    return html`${this.toasts.map((t) => html`<div role=${t.kind === "error" ? "alert" : "status"} class=${t.kind}>${t.text}</div>`)}`;
  }
}

customElements.define("pc2-toasts", Pc2Toasts);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-toasts": Pc2Toasts;
  }
}
