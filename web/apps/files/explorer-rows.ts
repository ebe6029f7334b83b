// How the explorer draws one entry: a row of the list (with its rename box and action buttons) or
// a tile of the grid. What the entry's controls do is the explorer's (RowActions).
import { html, nothing } from "lit";
import { icons } from "../../ui/icons.ts";
import { type Entry, formatSize, shownName } from "./entry.ts";
import { iconFor } from "./file-icons.ts";

/** What the drawing depends on besides the entry. */
export interface RowView {
  inTrash: boolean;
  chosen: ReadonlySet<string>;
  renaming: string | null;
  isTrashFolder(e: Entry): boolean;
}

/** What an entry's controls do. */
export interface RowActions {
  choose(e: Entry, ev: MouseEvent): void;
  open(e: Entry): void;
  openMenu(e: Entry, ev: MouseEvent): void;
  openMenuAt(e: Entry, button: HTMLElement): void;
  dragStart(e: Entry, ev: DragEvent): void;
  drop(e: Entry, ev: DragEvent): void;
  startRename(e: Entry): void;
  commitRename(e: Entry, value: string): void;
  cancelRename(): void;
  trash(e: Entry): void;
  restore(e: Entry): void;
  deleteForGood(e: Entry): void;
}

const MOVING = "application/x-pc2-uids";

export function fileRow(e: Entry, view: RowView, on: RowActions, rowIndex?: number) {
  const name = shownName(e, view.inTrash);
  return html`<tr aria-selected=${String(view.chosen.has(e.uid))} aria-rowindex=${rowIndex ?? nothing} data-name=${name} draggable=${String(!view.inTrash)}
    @click=${(ev: MouseEvent) => on.choose(e, ev)} @dblclick=${() => on.open(e)} @contextmenu=${(ev: MouseEvent) => on.openMenu(e, ev)}
    @dragstart=${(ev: DragEvent) => on.dragStart(e, ev)} @dragover=${(ev: DragEvent) => e.is_dir && ev.dataTransfer?.types.includes(MOVING) && ev.preventDefault()}
    @drop=${(ev: DragEvent) => on.drop(e, ev)}>
    <td class="name"><div class="cell"><span class="glyph">${iconFor(e, view.isTrashFolder(e))}</span>
      ${view.renaming === e.uid ? renameBox(e, on) : html`<span>${name}</span>`}
    </div></td>
    <td class="size">${e.is_dir ? "Folder" : formatSize(e.size)}</td>
    <td class="modified">${new Date(e.modified * 1000).toLocaleString()}</td>
    <td class="actions">${rowButtons(e, name, view, on)}</td>
  </tr>`;
}

function renameBox(e: Entry, on: RowActions) {
  return html`<input aria-label="New name" .value=${e.name} @keydown=${(ev: KeyboardEvent) => {
    // The list's keys (Delete, Backspace, arrows) belong to the box while it is open.
    ev.stopPropagation();
    if (ev.key === "Enter") on.commitRename(e, (ev.target as HTMLInputElement).value.trim());
    if (ev.key === "Escape") on.cancelRename();
  }} @blur=${(ev: FocusEvent) => on.commitRename(e, (ev.target as HTMLInputElement).value.trim())} />`;
}

function rowButtons(e: Entry, name: string, view: RowView, on: RowActions) {
  if (view.inTrash)
    return html`<button aria-label=${`Restore ${name}`} @click=${() => on.restore(e)}>Restore</button>
      <button aria-label=${`Delete ${name} for good`} @click=${() => on.deleteForGood(e)}>Delete for good</button>`;
  if (view.isTrashFolder(e)) return nothing;
  return html`<button class="wide-only" aria-label=${`Rename ${e.name}`} @click=${() => on.startRename(e)}>Rename</button>
    <button class="wide-only" aria-label=${`Delete ${e.name}`} @click=${() => on.trash(e)}>Delete</button>
    <button class="more" aria-label=${`More actions for ${e.name}`} aria-haspopup="menu" @click=${(ev: MouseEvent) => on.openMenuAt(e, ev.currentTarget as HTMLElement)}>${icons.more}</button>`;
}

export function fileTile(e: Entry, view: RowView, on: RowActions) {
  const name = shownName(e, view.inTrash);
  const image = !e.is_dir && (e.type ?? "").startsWith("image/") && !(e.type ?? "").includes("svg") && e.cid;
  return html`<div class="tile" role="option" tabindex="-1" aria-selected=${String(view.chosen.has(e.uid))} data-name=${name} draggable=${String(!view.inTrash)}
    @click=${(ev: MouseEvent) => on.choose(e, ev)} @dblclick=${() => on.open(e)} @contextmenu=${(ev: MouseEvent) => on.openMenu(e, ev)}
    @dragstart=${(ev: DragEvent) => on.dragStart(e, ev)} @dragover=${(ev: DragEvent) => e.is_dir && ev.preventDefault()} @drop=${(ev: DragEvent) => on.drop(e, ev)}>
    <span class="thumb">${image ? html`<img loading="lazy" alt="" src=${`/ipfs/${e.cid}`} />` : html`<span class="glyph" style="width:48px;height:48px">${iconFor(e, view.isTrashFolder(e))}</span>`}</span>
    <span>${name}</span>
  </div>`;
}
