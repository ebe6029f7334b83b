// <pc2-app>: the root. Decides what the visitor sees: first-run setup, sign-in, or the desktop.
import { LitElement, css, html } from "lit";
import { ApiError, api, UnreachableError, type User } from "../api/rest-client.ts";
import { sharedStyles } from "../ui/shared-styles.ts";
import "./pc2-sign-in.ts";

// The setup wizard and the desktop (with every app) load when they are needed, so the sign-in
// screen comes up on a small bundle.
const loadWizard = () => import("./pc2-setup-wizard.ts");
const loadDesktop = () => import("./pc2-desktop.ts");

type View = "loading" | "unreachable" | "setup" | "signin" | "phrase" | "desktop";

export class Pc2App extends LitElement {
  static override properties = { view: { state: true }, user: { state: true } };
  view: View = "loading";
  user: User | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: block; height: 100%; }
      .center { display: grid; place-items: center; height: 100%; padding: 1rem; text-align: center; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.boot();
  }

  private async boot(): Promise<void> {
    this.view = "loading";
    // Both questions at once: a visitor who is not signed in needs the second answer right away.
    const setup = api.setupStatus();
    setup.catch(() => undefined);
    try {
      await this.enter(await api.whoami());
    } catch (err) {
      if (err instanceof UnreachableError) return void (this.view = "unreachable");
      if (!(err instanceof ApiError)) throw err;
      try {
        const claimed = (await setup).claimed;
        if (!claimed) await loadWizard();
        this.view = claimed ? "signin" : "setup";
      } catch {
        this.view = "unreachable";
      }
    }
  }

  /**
   * A signed-in user reaches the desktop, except the Owner while the recovery phrase is still
   * unconfirmed: then every sign-in and every reload returns to the phrase (a reload during setup
   * must not lose it for good; the node keeps it until the Owner confirms the words).
   */
  private async enter(user: User): Promise<void> {
    this.user = user;
    const pending =
      user.role === "owner" &&
      (await api.identity().then(
        (id) => id.phrasePending,
        () => false,
      ));
    await (pending ? loadWizard() : loadDesktop());
    this.view = pending ? "phrase" : "desktop";
  }

  private signedIn = (e: CustomEvent<User>) => void this.enter(e.detail);

  private signedOut = () => {
    this.user = null;
    this.view = "signin";
  };

  override render() {
    switch (this.view) {
      case "loading":
        return html`<div class="center" aria-busy="true"><p class="muted">Starting…</p></div>`;
      case "unreachable":
        return html`<div class="center" data-screen="unreachable" role="alert">
          <div class="card"><h1>Can't reach your PC2</h1><p class="muted">The node may be restarting or offline.</p>
          <button class="primary" @click=${() => this.boot()}>Try again</button></div>
        </div>`;
      case "setup":
        return html`<pc2-setup-wizard @signed-in=${this.signedIn}></pc2-setup-wizard>`;
      case "phrase":
        return html`<pc2-setup-wizard .resumeAs=${this.user} @signed-in=${this.signedIn}></pc2-setup-wizard>`;
      case "signin":
        return html`<pc2-sign-in @signed-in=${this.signedIn}></pc2-sign-in>`;
      case "desktop":
        return html`<pc2-desktop .user=${this.user} @signed-out=${this.signedOut}></pc2-desktop>`;
    }
  }
}

customElements.define("pc2-app", Pc2App);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-app": Pc2App;
  }
}
