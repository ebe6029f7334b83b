// <pc2-settings-app>: users and roles, sessions and API tokens, AI, network, node identity, storage quotas, backups, updates.
import { LitElement, css, html, nothing } from "lit";
import { ApiError, api, type User } from "../../api/rest-client.ts";
import { ROLE_SCOPES } from "../../../server/principal.ts";
import * as settings from "./settings-api.ts";
import type { ListedUser, SessionView, TokenView } from "./settings-api.ts";
import { deviceName } from "./device-name.ts";
import { setThemeChoice, themeChoice, type ThemeChoice } from "../../state/theme.ts";
import { formatSize } from "../files/entry.ts";
import "./pc2-ai-settings.ts";
import "./pc2-network-settings.ts";
import "./pc2-backup-settings.ts";
import "./pc2-update-settings.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";

type UserRow = ListedUser;
type SessionRow = SessionView;
type TokenRow = TokenView;
type Tab = "users" | "access" | "identity" | "storage" | "ai" | "network" | "backups" | "updates" | "appearance";

export class Pc2SettingsApp extends LitElement {
  static override properties = {
    user: { attribute: false },
    tab: { state: true },
    users: { state: true },
    sessions: { state: true },
    tokens: { state: true },
    identity: { state: true },
    message: { state: true },
    newToken: { state: true },
    quotas: { state: true },
    adminsInTerminal: { state: true },
    naming: { state: true },
  };
  /** The user whose name is being edited. */
  naming: string | null = null;
  /** Whether Admins may open terminals (Owner's Users tab); null until loaded. */
  adminsInTerminal: boolean | null = null;
  user: User | null = null;
  tab: Tab = "access";
  users: UserRow[] = [];
  sessions: SessionRow[] = [];
  tokens: TokenRow[] = [];
  identity: { nodeId: string; did: string } | null = null;
  quotas: Record<string, { quota: number | null; used: number }> = {};
  message: { text: string; error: boolean } | null = null;
  newToken: string | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: flex; height: 100%; }
      nav { display: flex; flex-direction: column; gap: 0.25rem; padding: 0.6rem; border-right: 1px solid var(--pc2-border); min-width: 9.5rem; }
      nav button[aria-selected="true"] { border-color: var(--pc2-accent); }
      main { flex: 1; padding: 1rem; overflow: auto; }
      h2 { margin-top: 0; font-size: 1.1rem; }
      table { width: 100%; border-collapse: collapse; font-size: 0.88rem; margin: 0.5rem 0 1rem; }
      td, th { text-align: left; padding: 0.35rem 0.4rem; border-top: 1px solid var(--pc2-line); }
      form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin: 0.5rem 0; }
      label { display: grid; gap: 0.25rem; font-size: 0.85rem; }
      fieldset { border: 1px solid var(--pc2-border); border-radius: 8px; display: flex; flex-wrap: wrap; gap: 0.6rem; }
      .warning { border-left: 3px solid var(--pc2-bad); padding: 0.4rem 0.7rem; max-width: 46rem; }
      label.inline { display: flex; gap: 0.5rem; align-items: center; }
      fieldset.stack { flex-direction: column; max-width: 28rem; padding: 0.6rem 0.8rem; }
      .who { display: grid; gap: 0.15rem; }
      .who .addr { display: flex; gap: 0.35rem; align-items: center; }
      .who .addr button, .name-form button { padding: 0.15rem 0.5rem; font-size: 0.8rem; }
      .name-form { margin: 0; gap: 0.3rem; align-items: center; flex-wrap: nowrap; }
      .name-form input { padding: 0.25rem 0.45rem; width: 9rem; }
      .secret { display: flex; gap: 0.5rem; align-items: center; padding: 0.6rem; border: 1px solid var(--pc2-ok); border-radius: 8px; margin: 0.5rem 0; }
      @media (max-width: 600px) { :host { flex-direction: column; } nav { flex-direction: row; flex-wrap: wrap; border-right: none; border-bottom: 1px solid var(--pc2-border); } }
    `,
  ];

  private get isOwner(): boolean {
    return this.user?.role === "owner";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.isOwner) this.tab = "users";
    void this.refresh();
  }

  private async run(fn: () => Promise<unknown>, ok?: string): Promise<void> {
    try {
      await fn();
      if (ok) this.message = { text: ok, error: false };
      await this.refresh();
    } catch (err) {
      this.message = { text: err instanceof ApiError ? err.message : String(err), error: true };
    }
  }

  private async refresh(): Promise<void> {
    if (this.tab === "users" && this.isOwner) {
      this.users = await settings.listUsers();
      this.adminsInTerminal = await settings.adminsInTerminal();
    }
    if (this.tab === "access") {
      this.sessions = await settings.listSessions();
      this.tokens = await settings.listTokens();
    }
    if (this.tab === "identity" && this.isOwner) this.identity = await api.identity();
    if (this.tab === "storage" && this.isOwner) {
      this.users = await settings.listUsers();
      const mine = await settings.myQuota();
      this.quotas = { ...this.quotas, [this.user!.address]: mine };
    }
  }

  private show(tab: Tab): void {
    this.tab = tab;
    this.message = null;
    this.newToken = null;
    void this.refresh();
  }

  private invite(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    return this.run(async () => {
      await settings.inviteUser({ address: String(data.get("address")).trim(), role: data.get("role") as "admin" | "member" });
      form.reset();
    }, "Invited. They can sign in with that wallet now.");
  }

  private createToken(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    return this.run(async () => {
      const created = await settings.createToken({ name: String(data.get("name")).trim(), scopes: data.getAll("scope") as TokenView["scopes"], expiresInDays: Number(data.get("days")) });
      this.newToken = created.token;
      form.reset();
    });
  }

  private setQuota(address: string, value: string): Promise<void> {
    const mib = value.trim() === "" ? null : Number(value);
    if (mib !== null && (!Number.isFinite(mib) || mib < 0)) return Promise.resolve(void (this.message = { text: "A quota is a number of MiB, or empty for none", error: true }));
    return this.run(() => settings.setQuota(address, mib === null ? null : Math.round(mib * 1024 * 1024)), "Quota saved.");
  }

  private renderUsers() {
    return html`<h2>Users and roles</h2>
      <form @submit=${this.invite} aria-label="Invite a wallet">
        <label>Wallet address <input name="address" required pattern="0x[0-9a-fA-F]{40}" placeholder="0x…" size="44" /></label>
        <label>Role <select name="role"><option value="member">Member</option><option value="admin">Admin</option></select></label>
        <button class="primary" type="submit">Invite</button>
      </form>
      <table><thead><tr><th>User</th><th>Role</th><th>Storage</th><th></th></tr></thead><tbody>
        ${this.users.map(
          (u) => html`<tr data-address=${u.address}>
          <td>${this.renderWho(u)}</td>
          <td>${
            u.role === "owner"
              ? "Owner"
              : html`<select aria-label=${`Role of ${u.name ?? u.address}`} .value=${u.role} @change=${(e: Event) => this.run(() => settings.changeRole(u.address, (e.target as HTMLSelectElement).value as "admin" | "member"), "Role changed.")}>
              <option value="member">Member</option><option value="admin">Admin</option></select>`
          }</td>
          <td>${formatSize(u.usedBytes)}${u.quotaBytes === null ? "" : html` <span class="muted">of ${formatSize(u.quotaBytes)}</span>`}</td>
          <td>${u.role === "owner" ? nothing : html`<button @click=${() => this.run(() => settings.removeUser(u.address), "Removed; their sessions and tokens are revoked.")}>Remove</button>`}</td>
        </tr>`,
        )}
      </tbody></table>
      <h2>Terminal</h2>
      <p class="warning" role="note" data-testid="terminal-warning"><strong>Letting Admins into the terminal gives them your powers.</strong>
        The shell runs as the node's own system user: it can read the node's identity key, the key that
        unlocks stored API keys, and every user's files. Allow it only for people you would hand the
        machine itself.</p>
      <label class="inline"><input type="checkbox" data-testid="admins-in-terminal" .checked=${this.adminsInTerminal === true} ?disabled=${this.adminsInTerminal === null}
        @change=${(e: Event) => this.run(() => settings.setAdminsInTerminal((e.target as HTMLInputElement).checked), (e.target as HTMLInputElement).checked ? "Admins may now open terminals, with your powers." : "Only you may open terminals.")} />
        Let Admins open terminals</label>`;
  }

  /** A user: the name the Owner gave (editable), and the address shortened, whole on hover, with Copy. */
  private renderWho(u: UserRow) {
    const short = `${u.address.slice(0, 6)}…${u.address.slice(-4)}`;
    const editing = this.naming === u.address;
    return html`<div class="who">
      ${
        editing
          ? html`<form class="name-form" aria-label=${`Name of ${u.address}`} @submit=${(e: SubmitEvent) => {
              e.preventDefault();
              const name = String(new FormData(e.target as HTMLFormElement).get("name")).trim();
              this.naming = null;
              return this.run(() => settings.renameUser(u.address, name || null), name ? "Name saved." : "Name removed.");
            }}>
              <input name="name" maxlength="64" aria-label="Name" .value=${u.name ?? ""} @keydown=${(e: KeyboardEvent) => e.key === "Escape" && ((this.naming = null))} />
              <button type="submit">Save</button>
            </form>`
          : html`<span><strong>${u.name ?? html`<span class="muted">No name</span>`}</strong>
              <button class="link" aria-label=${`Name ${u.name ?? short}`} @click=${() => (this.naming = u.address)}>${u.name ? "Rename" : "Name"}</button></span>`
      }
      <span class="addr"><span class="mono muted" title=${u.address}>${short}</span>
        <button aria-label=${`Copy the address of ${u.name ?? short}`} @click=${() => this.copyAddress(u.address)}>Copy</button></span>
    </div>`;
  }

  private async copyAddress(address: string): Promise<void> {
    const ok = await navigator.clipboard?.writeText(address).then(
      () => true,
      () => false,
    );
    this.message = { text: ok ? "Address copied." : address, error: false };
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has("naming") && this.naming) this.renderRoot.querySelector<HTMLInputElement>(".name-form input")?.focus();
  }

  private renderAccess() {
    const scopes = ROLE_SCOPES[this.user?.role ?? "member"];
    return html`<h2>Sessions</h2>
      <table><thead><tr><th>Device</th><th>Last seen</th><th>IP</th><th></th></tr></thead><tbody>
        ${this.sessions.map(
          (s) => html`<tr><td title=${s.userAgent ?? ""}>${deviceName(s.userAgent)}${s.current ? html` <strong>(this one)</strong>` : nothing}</td>
          <td>${new Date(s.lastSeenAt).toLocaleString()}</td><td class="mono">${s.ip}</td>
          <td>${s.current ? nothing : html`<button @click=${() => this.run(() => settings.revokeSession(s.id), "Signed out that session.")}>Sign out</button>`}</td></tr>`,
        )}
      </tbody></table>
      <h2>API tokens</h2>
      <p class="muted">For scripts, the CLI and WebDAV. To mount your files in Finder, Windows, davfs2 or rclone, connect to
        <span class="mono" data-testid="dav-url">${location.origin}/dav/</span> with any user name and a token with the files scopes as the password.</p>
      ${
        this.newToken
          ? html`<div class="secret" role="status"><span>Copy it now; it will not be shown again:</span><code class="mono" data-testid="new-token">${this.newToken}</code>
            <button @click=${() => navigator.clipboard?.writeText(this.newToken!)}>Copy</button></div>`
          : nothing
      }
      <form @submit=${this.createToken} aria-label="Create an API token">
        <label>Name <input name="name" required maxlength="64" /></label>
        <fieldset><legend>Scopes</legend>${scopes.map((s) => html`<label><input type="checkbox" name="scope" value=${s} ?checked=${s === "files:read"} /> ${s}</label>`)}</fieldset>
        <label>Expires in (days) <input name="days" type="number" min="1" max="3650" value="90" /></label>
        <button class="primary" type="submit">Create token</button>
      </form>
      <table><thead><tr><th>Name</th><th>Scopes</th><th>Last used</th><th></th></tr></thead><tbody>
        ${this.tokens.map(
          (t) => html`<tr data-token=${t.name}><td>${t.name}</td><td>${t.scopes.join(", ")}</td><td>${t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : "never"}</td>
          <td><button @click=${() => this.run(() => settings.revokeToken(t.id), "Token revoked.")}>Revoke</button></td></tr>`,
        )}
      </tbody></table>`;
  }

  private renderIdentity() {
    return html`<h2>Node identity</h2>
      <p>Node ID: <span class="mono">${this.identity?.nodeId}</span></p>
      <p>DID: <span class="mono">${this.identity?.did}</span></p>
      <p class="muted">The same 12-word recovery phrase restores this identity on any machine (<code>pc2 identity recover</code>).</p>`;
  }

  /** Light or dark, or as the system says (kept in this browser). */
  private renderAppearance() {
    const choice = themeChoice();
    const options: [ThemeChoice, string][] = [
      ["system", "As the system (follows it when it changes)"],
      ["light", "Light"],
      ["dark", "Dark"],
    ];
    return html`<h2>Appearance</h2>
      <fieldset aria-label="Theme" class="stack"><legend>Theme</legend>
        ${options.map(
          ([value, label]) =>
            html`<label class="inline"><input type="radio" name="theme" .checked=${choice === value} @change=${() => (setThemeChoice(value), this.requestUpdate())} /> ${label}</label>`,
        )}
      </fieldset>
      <p class="muted">Kept in this browser; each device keeps its own.</p>`;
  }

  private renderStorage() {
    return html`<h2>Storage</h2>
      <p class="muted">What each user's files take, and their quota: checked before any byte of an upload is written. Leave empty for no quota.</p>
      <table><thead><tr><th>User</th><th>Used</th><th>Quota (MiB)</th></tr></thead><tbody>
        ${this.users.map(
          (u) => html`<tr><td>${u.name ? html`<strong>${u.name}</strong> ` : nothing}<span class="mono muted" title=${u.address}>${u.address.slice(0, 6)}…${u.address.slice(-4)}</span></td>
          <td data-testid=${`used-${u.address}`}>${formatSize(u.usedBytes)}${u.quotaBytes === null ? "" : html` <span class="muted">of ${formatSize(u.quotaBytes)}</span>`}</td>
          <td><form @submit=${(e: SubmitEvent) => (e.preventDefault(), this.setQuota(u.address, String(new FormData(e.target as HTMLFormElement).get("mib"))))}>
            <input name="mib" type="number" min="0" step="1" aria-label=${`Quota of ${u.address} in MiB`} /><button type="submit">Set</button></form></td></tr>`,
        )}
      </tbody></table>`;
  }

  override render() {
    const tabs: [Tab, string][] = this.isOwner
      ? [
          ["users", "Users"],
          ["access", "Sessions & tokens"],
          ["ai", "AI"],
          ["network", "Network"],
          ["identity", "Identity"],
          ["storage", "Storage"],
          ["backups", "Backups"],
          ["updates", "Updates"],
          ["appearance", "Appearance"],
        ]
      : [
          ["access", "Sessions & tokens"],
          ["ai", "AI"],
          ["network", "Network"],
          ["appearance", "Appearance"],
        ];
    return html`<nav role="tablist" aria-label="Settings">
        ${tabs.map(([id, label]) => html`<button role="tab" aria-selected=${String(this.tab === id)} @click=${() => this.show(id)}>${label}</button>`)}
      </nav>
      <main role="tabpanel">
        ${this.message ? html`<p role=${this.message.error ? "alert" : "status"} class=${this.message.error ? "error" : "muted"}>${this.message.text}</p>` : nothing}
        ${this.tab === "users" ? this.renderUsers() : this.tab === "access" ? this.renderAccess() : this.tab === "ai" ? html`<pc2-ai-settings .user=${this.user}></pc2-ai-settings>` : this.tab === "network" ? html`<pc2-network-settings .user=${this.user}></pc2-network-settings>` : this.tab === "identity" ? this.renderIdentity() : this.tab === "backups" ? html`<pc2-backup-settings></pc2-backup-settings>` : this.tab === "updates" ? html`<pc2-update-settings></pc2-update-settings>` : this.tab === "appearance" ? this.renderAppearance() : this.renderStorage()}
      </main>`;
  }
}

customElements.define("pc2-settings-app", Pc2SettingsApp);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-settings-app": Pc2SettingsApp;
  }
}
