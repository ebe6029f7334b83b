// <pc2-context-menu>: a keyboard-usable menu at a point; picks go up as "menu-pick" events.
import { LitElement, css, html } from "lit";
import { sharedStyles } from "../../ui/shared-styles.ts";

export interface MenuItem {
  id: string;
  label: string;
  disabled?: boolean;
}

export class Pc2ContextMenu extends LitElement {
  static override properties = { items: { attribute: false }, x: { type: Number }, y: { type: Number } };
  items: MenuItem[] = [];
  x = 0;
  y = 0;

  static override styles = [
    sharedStyles,
    css`
      :host { position: fixed; z-index: 200000; }
      ul { list-style: none; margin: 0; padding: 0.3rem; background: var(--pc2-card-2); border: 1px solid var(--pc2-border); border-radius: 8px;
        box-shadow: 0 10px 30px rgba(0, 0, 0, 0.3); min-width: 12rem; }
      button { width: 100%; text-align: left; background: none; border: none; padding: 0.4rem 0.7rem; }
      button:hover, button:focus-visible { background: rgba(91, 140, 255, 0.2); }
      @media (pointer: coarse) { button { padding: 0.75rem 1rem; } }
    `,
  ];

  /** At the point asked for, moved in so that the whole menu is on the screen. */
  override updated(): void {
    const box = this.renderRoot.querySelector("ul")!.getBoundingClientRect();
    const left = Math.max(0, Math.min(this.x, innerWidth - box.width - 4));
    const top = Math.max(0, Math.min(this.y, innerHeight - box.height - 4));
    Object.assign(this.style, { left: `${left}px`, top: `${top}px` });
  }

  override firstUpdated(): void {
    (this.renderRoot.querySelector("button:not([disabled])") as HTMLButtonElement | null)?.focus();
  }

  private pick(id: string): void {
    this.dispatchEvent(new CustomEvent("menu-pick", { detail: id, bubbles: true, composed: true }));
  }

  private onKey(e: KeyboardEvent): void {
    const buttons = [...this.renderRoot.querySelectorAll("button:not([disabled])")] as HTMLButtonElement[];
    const i = buttons.indexOf(this.renderRoot.querySelector("button:focus") as HTMLButtonElement);
    if (e.key === "ArrowDown") buttons[(i + 1) % buttons.length]?.focus();
    else if (e.key === "ArrowUp") buttons[(i - 1 + buttons.length) % buttons.length]?.focus();
    else if (e.key === "Escape") this.pick("");
    else return;
    e.preventDefault();
  }

  override render() {
    return html`<ul role="menu" @keydown=${this.onKey}>
      ${this.items.map((m) => html`<li role="none"><button role="menuitem" ?disabled=${m.disabled} @click=${() => this.pick(m.id)}>${m.label}</button></li>`)}
    </ul>`;
  }
}

customElements.define("pc2-context-menu", Pc2ContextMenu);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-context-menu": Pc2ContextMenu;
  }
}
