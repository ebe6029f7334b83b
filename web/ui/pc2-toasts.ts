// <pc2-toasts>: short notices ("Public link copied") raised anywhere below it with a `toast` event.
import { LitElement, css, html } from "lit";

/** A button in the notice (Undo): pressing it runs it and closes the notice. */
export interface ToastAction {
  label: string;
  run: () => unknown;
}

interface Toast {
  id: number;
  text: string;
  kind: "info" | "error";
  action?: ToastAction;
}

export class Pc2Toasts extends LitElement {
  static override properties = { toasts: { state: true } };
  toasts: Toast[] = [];
  private nextId = 1;

  static override styles = css`
    :host { position: fixed; right: 1rem; bottom: 4rem; display: grid; gap: 0.5rem; z-index: 300000; }
    div { background: var(--pc2-card-2); border: 1px solid var(--pc2-border); border-left: 4px solid var(--pc2-accent); padding: 0.6rem 0.9rem;
      border-radius: 8px; box-shadow: var(--pc2-shadow); max-width: 22rem; overflow-wrap: anywhere; }
    div.error { border-left-color: var(--pc2-bad); }
    div { display: flex; gap: 0.75rem; align-items: center; }
    button { font: inherit; color: var(--pc2-accent); background: none; border: 1px solid var(--pc2-accent); border-radius: 6px; padding: 0.2rem 0.6rem; cursor: pointer; }
  `;

  /** A notice for 4 s (8 s with an action, time to press it). */
  show(text: string, kind: Toast["kind"] = "info", action?: ToastAction): void {
    const toast = { id: this.nextId++, text, kind, action };
    this.toasts = [...this.toasts, toast];
    setTimeout(() => this.dismiss(toast.id), action ? 8000 : 4000);
  }

  /** Take every notice off the screen (the notifications centre, opened, lists them). */
  clear(): void {
    this.toasts = [];
  }

  private dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  override render() {
    return html`${this.toasts.map(
      (t) =>
        html`<div role=${t.kind === "error" ? "alert" : "status"} class=${t.kind}><span>${t.text}</span>${
          t.action ? html`<button @click=${() => (this.dismiss(t.id), t.action!.run())}>${t.action.label}</button>` : ""
        }</div>`,
    )}`;
  }
}

customElements.define("pc2-toasts", Pc2Toasts);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-toasts": Pc2Toasts;
  }
}
