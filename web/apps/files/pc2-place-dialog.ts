// <pc2-place-dialog>: Move to… / Copy to… — a folder picker over the explorer; the chosen folder
// receives the entries (a name already there gets a number). Events: `placed` (detail: what to
// tell the user), `failed` (detail: the error), `cancel`.
import { LitElement, html } from "lit";
import "../../ui/pc2-file-picker.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import type { Entry } from "./entry.ts";
import { placeInto } from "./file-actions.ts";
import { explorerStyles } from "./pc2-file-explorer.styles.ts";

export class Pc2PlaceDialog extends LitElement {
  static override properties = { how: {}, entries: { attribute: false }, start: {} };
  how: "move" | "copy" = "move";
  entries: Entry[] = [];
  /** The folder the picker opens at. */
  start = "~";

  static override styles = [sharedStyles, explorerStyles];

  private async place(folder: string): Promise<void> {
    const what = this.entries.length === 1 ? this.entries[0]!.name : `${this.entries.length} items`;
    try {
      await placeInto(this.how, this.entries, folder);
      this.dispatchEvent(new CustomEvent("placed", { detail: `${this.how === "move" ? "Moved" : "Copied"} ${what} to ${folder}` }));
    } catch (err) {
      this.dispatchEvent(new CustomEvent("failed", { detail: err }));
    }
  }

  override render() {
    const one = this.entries.length === 1 ? `“${this.entries[0]!.name}”` : `${this.entries.length} items`;
    return html`<div class="overlay"><section role="dialog" aria-modal="true" aria-label=${this.how === "move" ? "Move to" : "Copy to"}>
      <h2>${this.how === "move" ? "Move" : "Copy"} ${one} to…</h2>
      <pc2-file-picker mode="folder" .start=${this.start} action=${this.how === "move" ? "Move here" : "Copy here"}
        @pick=${(ev: CustomEvent<string[]>) => this.place(ev.detail[0]!)} @cancel=${() => this.dispatchEvent(new CustomEvent("cancel"))}></pc2-file-picker>
    </section></div>`;
  }
}

customElements.define("pc2-place-dialog", Pc2PlaceDialog);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-place-dialog": Pc2PlaceDialog;
  }
}
