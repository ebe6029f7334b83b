// Inline SVG icons (no icon fonts, nothing from elsewhere).
import { svg } from "lit";

export const icons = {
  folder: svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><path fill="#f5b944" d="M3 6a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z"/></svg>`,
  file: svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><path fill="#93a0b8" d="M6 2h8l5 5v13a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z"/><path fill="#5d6b86" d="M14 2v5h5"/></svg>`,
  files: svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><path fill="#5b8cff" d="M3 6a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z"/></svg>`,
};
