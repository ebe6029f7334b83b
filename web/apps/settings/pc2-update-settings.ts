// <pc2-update-settings>: the Owner's Updates tab — the version running, whether a newer signed
// release is published (with its notes), or why the published one was refused; Check now.
import { LitElement, css, html, nothing } from "lit";
import type { UpdateStatus } from "../../../server/services/update/update.service.ts";
import { api } from "../../api/rest-client.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { formatSize } from "../files/entry.ts";

export class Pc2UpdateSettings extends LitElement {
  static override properties = { status: { state: true }, busy: { state: true }, error: { state: true } };
  status: UpdateStatus | null = null;
  busy = false;
  error: string | null = null;

  static override styles = [
    sharedStyles,
    css`
      .notes { white-space: pre-wrap; border-left: 3px solid var(--pc2-accent); padding-left: 0.75rem; }
      .available { font-weight: 600; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    api.get<UpdateStatus>("/api/update").then(
      (s) => (this.status = s),
      (err: Error) => (this.error = err.message),
    );
  }

  private async check(): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      this.status = await api.post<UpdateStatus>("/api/update/check");
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const s = this.status;
    return html`<h2>Updates</h2>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${
        s
          ? html`<p>Running PC2 <strong>${s.current}</strong> (${s.install === "binary" ? "the single binary" : "from source"}, ${s.channel} channel, ${s.platform}).</p>
              <p data-testid="update-summary" class=${s.state === "available" ? "available" : s.state === "refused" || s.state === "failed" ? "error" : "muted"} role=${s.state === "refused" || s.state === "failed" ? "alert" : "status"}>${s.summary}</p>
              ${s.available ? html`<p class="muted">${formatSize(s.available.size)}.</p>${s.available.notes ? html`<div class="notes" data-testid="update-notes">${s.available.notes}</div>` : nothing}` : nothing}
              ${s.checkedAt ? html`<p class="muted">Checked ${new Date(s.checkedAt).toLocaleString()}. Releases are checked every 6 hours; only releases signed by the publisher key this node trusts are offered.</p>` : nothing}
              ${s.state === "not-configured" ? nothing : html`<button @click=${() => this.check()} ?disabled=${this.busy}>${this.busy ? "Checking…" : "Check now"}</button>`}`
          : nothing
      }`;
  }
}

customElements.define("pc2-update-settings", Pc2UpdateSettings);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-update-settings": Pc2UpdateSettings;
  }
}
