// <pc2-setup-wizard>: first run. Setup code + wallet → Owner; the recovery phrase once; three words back; identity.
import { LitElement, css, html, nothing, type TemplateResult } from "lit";
import { ApiError, api, type User } from "../api/rest-client.ts";
import { NoWalletError, discoverWallets, signInWithWallet } from "../api/wallet.ts";
import { sharedStyles } from "../ui/shared-styles.ts";
import { describeFailure } from "./pc2-sign-in.ts";

type Step = "claim" | "phrase" | "confirm" | "identity";

/** Three distinct positions (1-based) to ask back. */
function pickThree(count: number): number[] {
  const picks = new Set<number>();
  while (picks.size < 3) picks.add(1 + Math.floor(Math.random() * count));
  return [...picks].sort((a, b) => a - b);
}

export class Pc2SetupWizard extends LitElement {
  static override properties = {
    step: { state: true },
    busy: { state: true },
    error: { state: true },
    words: { state: true },
    asked: { state: true },
    identity: { state: true },
    joinNetwork: { state: true },
    resumeAs: { attribute: false },
  };
  /** An Owner already signed in whose recovery phrase is still unconfirmed: start at the phrase. */
  resumeAs: User | null = null;
  step: Step = "claim";
  busy = false;
  error: string | null = null;
  words: string[] = [];
  asked: number[] = [];
  identity: { nodeId: string; did: string } | null = null;
  /** The Owner's answer to "make this node findable": off unless they tick it. */
  joinNetwork = false;
  private user: User | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: grid; place-items: center; height: 100%; padding: 1rem; overflow: auto; }
      .card { width: min(34rem, 100%); }
      h1 { margin-top: 0; font-size: 1.4rem; }
      label { display: grid; gap: 0.35rem; margin: 0.75rem 0; }
      ol { display: grid; grid-template-columns: repeat(auto-fill, minmax(8rem, 1fr)); gap: 0.4rem 1rem; padding-left: 1.5rem; }
      .actions { display: flex; gap: 0.5rem; justify-content: flex-end; margin-top: 1rem; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.4rem 1rem; }
      dd { margin: 0; }
      label.choice { display: flex; gap: 0.6rem; align-items: flex-start; font-size: 0.9rem; }
      label.choice input { margin-top: 0.2rem; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.resumeAs) void this.resume(this.resumeAs);
  }

  private async resume(user: User): Promise<void> {
    this.user = user;
    this.busy = true;
    try {
      this.words = (await api.phrase()).words;
      this.step = "phrase";
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  private fail(err: unknown): void {
    if (err instanceof ApiError && err.code === "invalid_setup_code") this.error = "That setup code is not right. It is printed in the terminal where the node started.";
    else if (err instanceof ApiError && err.code === "too_many_requests") this.error = "Too many wrong codes. Wait a while, or restart the node for a new code.";
    else this.error = describeFailure(err).title + ": " + describeFailure(err).detail;
  }

  private async claim(e: Event): Promise<void> {
    e.preventDefault();
    const code = (this.renderRoot.querySelector("#code") as HTMLInputElement).value.trim();
    if (!code) return void (this.error = "Enter the setup code first.");
    this.busy = true;
    this.error = null;
    try {
      const wallets = await discoverWallets();
      if (!wallets.length) throw new NoWalletError();
      this.user = await signInWithWallet(wallets[0]!.provider, code);
      const id = await api.identity();
      if (id.phrasePending) {
        this.words = (await api.phrase()).words;
        this.step = "phrase";
      } else {
        this.identity = id;
        this.step = "identity";
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  private async confirm(e: Event): Promise<void> {
    e.preventDefault();
    const answers = this.asked.map((index) => ({ index, word: (this.renderRoot.querySelector(`#word-${index}`) as HTMLInputElement).value.trim().toLowerCase() }));
    this.busy = true;
    this.error = null;
    try {
      await api.confirmPhrase(answers);
      this.words = [];
      this.identity = await api.identity();
      this.step = "identity";
    } catch (err) {
      this.error = err instanceof ApiError && err.code === "phrase_mismatch" ? `${err.message}.` : describeFailure(err).detail;
    } finally {
      this.busy = false;
    }
  }

  private async finish(): Promise<void> {
    if (this.joinNetwork) {
      this.busy = true;
      try {
        await api.send("PUT", "/api/network/settings", { enabled: true });
      } catch (err) {
        this.busy = false;
        this.error = `Could not turn networking on: ${describeFailure(err).detail}`;
        return;
      }
    }
    this.dispatchEvent(new CustomEvent("signed-in", { detail: this.user, bubbles: true, composed: true }));
  }

  override render(): TemplateResult {
    const error = this.error ? html`<p role="alert" class="error" data-testid="wizard-error">${this.error}</p>` : nothing;
    switch (this.step) {
      case "claim":
        return html`<form class="card" @submit=${this.claim} data-step="claim">
          <h1>Welcome to your PC2</h1>
          <p class="muted">This node has no owner yet. Enter the one-time setup code printed where the node started, then connect the wallet that will own it.</p>
          <label>Setup code <input id="code" autocomplete="off" spellcheck="false" placeholder="XXXXX-XXXXX-XXXXX" required /></label>
          ${error}
          <div class="actions"><button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? "Waiting for your wallet…" : "Connect wallet and claim"}</button></div>
        </form>`;
      case "phrase":
        return html`<section class="card" data-step="phrase" aria-labelledby="ph">
          <h1 id="ph">Write down your recovery phrase</h1>
          <p>These 12 words restore this node's identity (and its backups) on any machine. The node keeps them only until you confirm you wrote them down, then forgets them for good; until then you will see them each time you sign in.</p>
          <ol class="mono" data-testid="phrase">${this.words.map((w) => html`<li>${w}</li>`)}</ol>
          <div class="actions"><button class="primary" @click=${() => ((this.asked = pickThree(this.words.length)), (this.step = "confirm"))}>I wrote them down</button></div>
        </section>`;
      case "confirm":
        return html`<form class="card" data-step="confirm" @submit=${this.confirm}>
          <h1>Check your copy</h1>
          <p class="muted">Type these words from what you wrote down.</p>
          ${this.asked.map((i) => html`<label>Word ${i} <input id=${`word-${i}`} data-index=${i} autocomplete="off" spellcheck="false" required /></label>`)}
          ${error}
          <div class="actions">
            <button type="button" @click=${() => (this.step = "phrase")}>Show the words again</button>
            <button class="primary" type="submit" ?disabled=${this.busy}>Confirm</button>
          </div>
        </form>`;
      case "identity":
        return html`<section class="card" data-step="identity">
          <h1>Your PC2 is ready</h1>
          <dl>
            <dt>Node ID</dt><dd class="mono" data-testid="node-id">${this.identity?.nodeId}</dd>
            <dt>DID</dt><dd class="mono">${this.identity?.did}</dd>
          </dl>
          <label class="choice"><input type="checkbox" data-testid="join-network" .checked=${this.joinNetwork} @change=${(e: Event) => (this.joinNetwork = (e.target as HTMLInputElement).checked)} />
            <span><strong>Make this node findable on the Boson network.</strong> Other PC2 nodes can then find it by its Node ID.
            It publishes only the Node ID, this machine's address and PC2's port — never files, users or wallets. You can change this later in Settings › Network.</span></label>
          ${error}
          <div class="actions"><button class="primary" ?disabled=${this.busy} @click=${() => this.finish()}>Open the desktop</button></div>
        </section>`;
    }
  }
}

customElements.define("pc2-setup-wizard", Pc2SetupWizard);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-setup-wizard": Pc2SetupWizard;
  }
}
