// Inline SVG icons (no icon fonts, nothing from elsewhere).
import { svg } from "lit";

export const icons = {
  bell: svg`<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z"/><path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" d="M10 20.5a2.2 2.2 0 0 0 4 0"/></svg>`,
  folder: svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><path fill="#f5b944" d="M3 6a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z"/></svg>`,
  file: svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><path fill="#93a0b8" d="M6 2h8l5 5v13a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z"/><path fill="#5d6b86" d="M14 2v5h5"/></svg>`,
  files: svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><path fill="#5b8cff" d="M3 6a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z"/></svg>`,
  terminal: svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><rect x="2" y="4" width="20" height="16" rx="2" fill="#1f2940" stroke="#93a0b8"/><path d="M6 9l3 3-3 3M11 15h6" stroke="#3ecf8e" stroke-width="2" fill="none"/></svg>`,
  wasm: svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><rect x="3" y="3" width="18" height="18" rx="3" fill="#654ff0"/><path d="M6.5 9l1.3 6 1.4-4.5L10.6 15l1.3-6M13.2 15l1.6-6 1.6 6M13.7 13.2h2.3" stroke="#fff" stroke-width="1.2" fill="none"/></svg>`,
  ai: svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><path d="M4 5h16v11H9l-5 4z" fill="#2e7d6b" stroke="#7be0c3" stroke-width="1"/><circle cx="9" cy="10.5" r="1.3" fill="#fff"/><circle cx="12" cy="10.5" r="1.3" fill="#fff"/><circle cx="15" cy="10.5" r="1.3" fill="#fff"/></svg>`,
  settings: svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><path fill="#93a0b8" d="M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm9 4a7 7 0 0 0-.1-1.2l2-1.6-2-3.4-2.4 1a7 7 0 0 0-2-1.2L16 3h-4l-.5 2.6a7 7 0 0 0-2 1.2l-2.4-1-2 3.4 2 1.6a7 7 0 0 0 0 2.4l-2 1.6 2 3.4 2.4-1a7 7 0 0 0 2 1.2L12 21h4l.5-2.6a7 7 0 0 0 2-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2z"/></svg>`,
  more: svg`<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><circle cx="5" cy="12" r="1.8" fill="currentColor"/><circle cx="12" cy="12" r="1.8" fill="currentColor"/><circle cx="19" cy="12" r="1.8" fill="currentColor"/></svg>`,
};
