// Styles shared by every component: buttons, inputs, cards, visible focus, touch-sized targets.
import { css } from "lit";

export const sharedStyles = css`
  :host { box-sizing: border-box; }
  *, *::before, *::after { box-sizing: inherit; }
  button, a.button {
    display: inline-block; text-decoration: none;
    font: inherit; color: var(--pc2-fg); background: var(--pc2-card-2); border: 1px solid var(--pc2-border);
    border-radius: 8px; padding: 0.5rem 0.9rem; cursor: pointer;
  }
  button.primary, a.button.primary { background: var(--pc2-accent-strong); border-color: var(--pc2-accent-strong); color: #fff; font-weight: 600; }
  button.link { background: none; border: none; padding: 0 0.2rem; color: var(--pc2-accent); text-decoration: underline; }
  button.danger { border-color: var(--pc2-bad); color: var(--pc2-bad); }
  button:disabled { opacity: 0.55; cursor: default; }
  a.button:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, [tabindex]:focus-visible { outline: none; box-shadow: var(--pc2-focus); }
  select {
    font: inherit; color: var(--pc2-fg); background: var(--pc2-card-2); border: 1px solid var(--pc2-border);
    border-radius: 8px; padding: 0.45rem 0.6rem; color-scheme: dark;
  }
  select:focus-visible { outline: none; box-shadow: var(--pc2-focus); }
  input, textarea {
    font: inherit; color: var(--pc2-fg); background: var(--pc2-bg); border: 1px solid var(--pc2-border);
    border-radius: 8px; padding: 0.5rem 0.7rem;
  }
  .card { background: var(--pc2-card); border: 1px solid var(--pc2-border); border-radius: var(--pc2-radius); padding: 1.25rem; }
  .muted { color: var(--pc2-muted); }
  .error { color: var(--pc2-bad); }
  .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
  /* A finger needs a bigger target than a mouse pointer (44 px, as the platforms' guidelines ask). */
  @media (pointer: coarse) {
    button, a.button, select { min-height: 44px; }
    button.link { min-height: 0; }
  }
`;
