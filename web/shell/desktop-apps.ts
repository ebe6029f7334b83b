// The desktop's apps: what each is called, its icon and shortcut, who may open it, and what it shows.
import { html, type TemplateResult } from "lit";
import type { User } from "../api/rest-client.ts";
import { icons } from "../ui/icons.ts";
import "../apps/files/pc2-file-explorer.ts";
import "../apps/settings/pc2-settings-app.ts";
import "../apps/wasm/pc2-wasm-app.ts";
import "../apps/functions/pc2-functions-app.ts";
import "../apps/ai/pc2-ai-chat.ts";

export interface AppDef {
  id: string;
  title: string;
  icon: unknown;
  render: (user: User | null) => TemplateResult;
  /** Shown only to these roles (the node refuses others anyway); everyone when absent. */
  roles?: User["role"][];
  /** The Ctrl+Alt shortcut; the title's first letter when absent. */
  key?: string;
  /** Loads the app's code when it first opens (a chunk of its own: the terminal brings xterm.js). */
  load?: () => Promise<unknown>;
}

/** An app's Ctrl+Alt key. */
export const shortcut = (a: AppDef) => (a.key ?? a.title[0]!).toLowerCase();

export const APPS: AppDef[] = [
  { id: "files", title: "Files", icon: icons.files, render: () => html`<pc2-file-explorer></pc2-file-explorer>` },
  { id: "settings", title: "Settings", icon: icons.settings, render: (user) => html`<pc2-settings-app .user=${user}></pc2-settings-app>` },
  { id: "terminal", title: "Terminal", icon: icons.terminal, render: () => html`<pc2-terminal-app></pc2-terminal-app>`, roles: ["owner"], load: () => import("../apps/terminal/pc2-terminal-app.ts") },
  // Ctrl+Alt+A is WASM Apps (Ctrl+Alt+W closes a window), so AI Chat is Ctrl+Alt+C.
  { id: "ai", title: "AI Chat", icon: icons.ai, render: () => html`<pc2-ai-chat></pc2-ai-chat>`, key: "c" },
  { id: "wasm", title: "WASM Apps", icon: icons.wasm, render: () => html`<pc2-wasm-app></pc2-wasm-app>`, roles: ["owner", "admin"], key: "a" },
  // Ctrl+Alt+F is Files: Functions is Ctrl+Alt+E (edge).
  {
    id: "functions",
    title: "Functions",
    icon: icons.functions,
    render: (user) => html`<pc2-functions-app ?is-owner=${user?.role === "owner"}></pc2-functions-app>`,
    roles: ["owner", "admin"],
    key: "e",
  },
];
