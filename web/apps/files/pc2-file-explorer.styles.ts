// The file explorer's look: toolbar, list and grid views, uploads, details, the phone layout.
import { css } from "lit";

export const explorerStyles = css`
      :host { display: flex; flex-direction: column; height: 100%; position: relative; }
      .bar { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; padding: 0.5rem; border-bottom: 1px solid var(--pc2-border); }
      /* The path keeps room of its own: on a narrow window the buttons wrap below it rather than cover it. */
      .crumbs { display: flex; flex-wrap: wrap; gap: 0.2rem; flex: 1 1 12rem; min-width: 0; }
      .crumbs button { background: none; border: none; padding: 0.2rem 0.35rem; }
      /* Its own layout and paint, and an opaque background so that the browser scrolls it on the
         compositor (without one, Chrome repaints a scroller on every frame to keep LCD text). */
      /* No scroll anchoring: when the drawn rows move, the spacers change size above the view, and the
         browser would shift the scroll to keep a row that is about to go in place (rows jumped away
         from the one chosen by keyboard). The list window keeps positions exact itself. */
      .list { flex: 1; overflow: auto; overflow-anchor: none; outline: none; contain: strict; background: var(--pc2-card); }
      .bar input[type="search"] { width: 11rem; padding: 0.4rem 0.6rem; }
      .usage { margin: 0; padding: 0.3rem 0.7rem; border-top: 1px solid var(--pc2-border); font-size: 0.8rem; }
      :host([dragging]) .list, .list.dragging { background: rgba(91, 140, 255, 0.08); outline: 2px dashed var(--pc2-accent); outline-offset: -6px; }
      /* Fixed columns: a row drawn while scrolling never makes the table measure every cell again. */
      table { width: 100%; border-collapse: collapse; font-size: 0.9rem; table-layout: fixed; }
      th.size { width: 6.5rem; }
      th.modified { width: 12.5rem; }
      th.actions { width: 16rem; }
      th { text-align: left; font-weight: 600; color: var(--pc2-muted); padding: 0.35rem 0.6rem; position: sticky; top: 0; background: var(--pc2-card); }
      th button { background: none; border: none; padding: 0; color: inherit; font-weight: 600; }
      td { padding: 0.35rem 0.6rem; border-top: 1px solid var(--pc2-line); white-space: nowrap; }
      tr[aria-selected="true"] td { background: var(--pc2-selected); }
      td .cell { display: flex; gap: 0.5rem; align-items: center; overflow: hidden; }
      td .cell > span:last-child { overflow: hidden; text-overflow: ellipsis; }
      td.actions { text-align: right; }
      tr.spacer td, tr.spacer { padding: 0; border: 0; }
      td.actions button { padding: 0.3rem 0.6rem; }
      td.actions button.more { padding: 0.3rem 0.45rem; vertical-align: middle; line-height: 0; }
      .glyph { width: 18px; height: 18px; flex: none; }
      .overlay { position: absolute; inset: 0; display: grid; place-items: center; background: rgba(5, 8, 14, 0.55); z-index: 10; }
      .overlay section { width: min(32rem, calc(100% - 1.5rem)); background: var(--pc2-card); border: 1px solid var(--pc2-border); border-radius: var(--pc2-radius); padding: 1rem; box-shadow: var(--pc2-shadow); }
      .overlay h2 { margin: 0 0 0.6rem; font-size: 1.05rem; overflow-wrap: anywhere; }
      .empty, .state { padding: 2rem; text-align: center; }
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(7.5rem, 1fr)); gap: 0.5rem; padding: 0.6rem; }
      .tile { display: grid; justify-items: center; gap: 0.3rem; padding: 0.5rem; border-radius: 8px; border: 1px solid transparent; text-align: center; font-size: 0.85rem; overflow-wrap: anywhere; }
      .tile[aria-selected="true"] { background: var(--pc2-selected); border-color: var(--pc2-accent); }
      .tile .thumb { width: 64px; height: 64px; display: grid; place-items: center; }
      .tile .thumb img { max-width: 64px; max-height: 64px; border-radius: 4px; }
      tr.drop-target td, .tile.drop-target { outline: 2px solid var(--pc2-accent); outline-offset: -2px; }
      @media (max-width: 600px) {
        td.modified, th.modified, td.size, th.size { display: none; }
        td.actions button.wide-only { display: none; }
        td.actions button.more { min-width: 44px; min-height: 44px; }
        th.actions { width: calc(44px + 1.3rem); }
        /* The column's heading does not fit over the one "…" button: kept for screen readers only. */
        th.actions span { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
      }
    `;
