// <pc2-sign-in>: "Connect wallet", the wallet picker when there are several, and a clear screen per failure.
import { LitElement, css, html, nothing, type TemplateResult } from "lit";
import { ApiError, UnreachableError } from "../api/rest-client.ts";
import { NoWalletError, NotInvitedError, WalletRejectedError, WrongAccountError, discoverWallets, signInWithWallet, type WalletChoice } from "../api/wallet.ts";
import { sharedStyles } from "../ui/shared-styles.ts";

type Problem = "no-wallet" | "rejected" | "not-invited" | "unreachable" | "wrong-account" | "other";

/** A failure as a screen name and its words; shared with the setup wizard. */
export function describeFailure(err: unknown): { screen: Problem; title: string; detail: string; address?: string } {
  if (err instanceof NoWalletError) return { screen: "no-wallet", title: "No wallet found", detail: "Install a wallet extension such as MetaMask, Coinbase Wallet or Rabby, then reload this page." };
  if (err instanceof WalletRejectedError) return { screen: "rejected", title: "Request cancelled", detail: "The wallet request was rejected. Nothing was signed." };
  if (err instanceof WrongAccountError)
    return { screen: "wrong-account", title: "Wrong account", detail: "The wallet signed with a different account than it connected. Pick one account and try again." };
  if (err instanceof UnreachableError) return { screen: "unreachable", title: "Can't reach your PC2", detail: "The node may be restarting or offline." };
  if (err instanceof NotInvitedError)
    return { screen: "not-invited", title: "This wallet isn't invited", detail: "Send this address to the owner of this PC2 and ask them to invite it, then sign in again.", address: err.address };
  if (err instanceof ApiError && err.code === "not_invited")
    return { screen: "not-invited", title: "This wallet isn't invited", detail: "Ask the owner of this PC2 to invite your address, then sign in again." };
  return { screen: "other", title: "Sign-in failed", detail: err instanceof Error ? err.message : String(err) };
}

export class Pc2SignIn extends LitElement {
  static override properties = { busy: { state: true }, choices: { state: true }, problem: { state: true }, copied: { state: true } };
  copied = false;
  busy = false;
  choices: WalletChoice[] | null = null;
  problem: ReturnType<typeof describeFailure> | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: grid; place-items: center; height: 100%; padding: 1rem; }
      .card { width: min(26rem, 100%); text-align: center; }
      h1 { margin: 0 0 0.25rem; font-size: 1.5rem; }
      ul { list-style: none; padding: 0; display: grid; gap: 0.5rem; }
      li button { width: 100%; display: flex; gap: 0.6rem; align-items: center; justify-content: center; }
      img { width: 24px; height: 24px; }
      .address { display: grid; gap: 0.5rem; justify-items: center; }
      .address code { background: var(--pc2-card-2); padding: 0.4rem 0.6rem; border-radius: 6px; overflow-wrap: anywhere; }
    `,
  ];

  private async start(): Promise<void> {
    this.problem = null;
    this.busy = true;
    try {
      const wallets = await discoverWallets();
      if (wallets.length === 0) throw new NoWalletError();
      if (wallets.length > 1) {
        this.choices = wallets;
        return;
      }
      await this.use(wallets[0]!);
    } catch (err) {
      this.problem = describeFailure(err);
    } finally {
      this.busy = false;
    }
  }

  private async use(choice: WalletChoice): Promise<void> {
    this.choices = null;
    this.busy = true;
    try {
      const user = await signInWithWallet(choice.provider);
      this.dispatchEvent(new CustomEvent("signed-in", { detail: user, bubbles: true, composed: true }));
    } catch (err) {
      this.problem = describeFailure(err);
    } finally {
      this.busy = false;
    }
  }

  private async copy(text: string): Promise<void> {
    this.copied = await navigator.clipboard?.writeText(text).then(
      () => true,
      () => false,
    );
  }

  override render(): TemplateResult {
    return html`<main class="card" aria-labelledby="title">
      <h1 id="title">Sign in to your PC2</h1>
      <p class="muted">Your wallet is your key. Nothing is sent to any other server.</p>
      ${
        this.problem
          ? html`<div role="alert" data-screen=${this.problem.screen}><h2 class="error">${this.problem.title}</h2><p>${this.problem.detail}</p>
            ${
              this.problem.address
                ? html`<p class="address"><code class="mono" data-testid="visitor-address">${this.problem.address}</code>
                  <button @click=${() => this.copy(this.problem!.address!)}>${this.copied ? "Copied" : "Copy address"}</button></p>`
                : nothing
            }</div>`
          : nothing
      }
      ${
        this.choices
          ? html`<p>Choose a wallet</p>
            <ul>
              ${this.choices.map((c) => html`<li><button @click=${() => this.use(c)}>${c.icon ? html`<img src=${c.icon} alt="" />` : nothing}${c.name}</button></li>`)}
            </ul>`
          : html`<button class="primary" ?disabled=${this.busy} @click=${() => this.start()}>${this.busy ? "Waiting for your wallet…" : this.problem ? "Try again" : "Connect wallet"}</button>`
      }
    </main>`;
  }
}

customElements.define("pc2-sign-in", Pc2SignIn);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-sign-in": Pc2SignIn;
  }
}
