// <pc2-update-settings>: the Owner's Updates tab — the version running, whether a newer signed
// release is published (with its notes), or why the published one was refused; Check now; Update
// now with its progress through the restart (the node backs up first and rolls a release back by
// itself when it does not become healthy); Roll back to the previous release; how the last ended.
import { LitElement, css, html, nothing } from "lit";
import type { UpdateStatus } from "../../../server/services/update/update.service.ts";
import type { UpdateOutcome } from "../../../server/update/pending-update.ts";
import { api, ApiError } from "../../api/rest-client.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { formatSize } from "../files/entry.ts";

export class Pc2UpdateSettings extends LitElement {
  static override properties = { status: { state: true }, busy: { state: true }, error: { state: true }, restarting: { state: true }, lossWarning: { state: true } };
  status: UpdateStatus | null = null;
  busy = false;
  error: string | null = null;
  /** Since when the node is away for an update or rollback we asked for (null: not waiting). */
  restarting: number | null = null;
  /** When the update or rollback being followed began (server time): polled until its outcome is in. */
  private following: number | null = null;
  /** The rollback needs the Owner's consent to put back the pre-update database. */
  lossWarning: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  static override styles = [
    sharedStyles,
    css`
      .notes { white-space: pre-wrap; border-left: 3px solid var(--pc2-accent); padding-left: 0.75rem; }
      .available { font-weight: 600; }
      .row { display: flex; gap: 0.5rem; flex-wrap: wrap; margin: 0.75rem 0; }
      progress { width: 12rem; vertical-align: middle; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Read the status; while an update runs (or the node restarts into one), again every second. */
  private async refresh(): Promise<void> {
    this.timer = null;
    try {
      const s = await api.get<UpdateStatus>("/api/update");
      this.status = s;
      // Once an update or rollback is under way, follow it until its outcome is written: the node
      // answering again is not enough (during the trial the new release may answer, idle, before
      // the outcome exists).
      const a = s.apply;
      if (this.following === null && a.startedAt && (a.step === "downloading" || a.step === "backing-up" || a.step === "restarting")) this.following = Date.parse(a.startedAt);
      if (a.step === "failed") this.following = null;
      if (this.restarting !== null && s.lastOutcome && Date.parse(s.lastOutcome.at) >= this.restarting) this.restarting = null;
      if (this.following !== null && s.lastOutcome && Date.parse(s.lastOutcome.at) >= this.following) this.following = null;
    } catch (err) {
      // Away while it hands over to the new release (the last step seen may be any of them): keep asking.
      const a = this.status?.apply;
      if (this.restarting === null && a?.startedAt && (a.step === "downloading" || a.step === "backing-up" || a.step === "restarting")) this.restarting = Date.parse(a.startedAt);
      if (this.restarting === null && this.following === null) this.error = (err as Error).message;
    }
    const step = this.status?.apply.step;
    if (this.restarting !== null || this.following !== null || step === "downloading" || step === "backing-up" || step === "restarting") {
      if (step === "restarting" && this.restarting === null) this.restarting = Date.parse(this.status!.apply.startedAt!);
      if (this.isConnected) this.timer = setTimeout(() => void this.refresh(), 1000);
    }
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

  private async apply(): Promise<void> {
    const s = this.status!;
    if (!confirm(`Update PC2 ${s.current} to ${s.available!.version}? The node backs up first, then restarts (a minute or so); if the new version does not start, it goes back by itself.`)) return;
    await this.send("/api/update/apply", {});
  }

  private async rollback(force: boolean): Promise<void> {
    if (!force && !confirm(`Go back to PC2 ${this.status!.previous}? The node restarts.`)) return;
    await this.send("/api/update/rollback", force ? { force: true } : {});
  }

  private async send(path: string, body: object): Promise<void> {
    this.busy = true;
    this.error = null;
    this.lossWarning = null;
    try {
      this.status = await api.post<UpdateStatus>(path, body);
      if (this.status.apply.step === "restarting") this.restarting = Date.parse(this.status.apply.startedAt!);
      void this.refresh();
    } catch (err) {
      if (err instanceof ApiError && err.code === "update_rollback_loses_data") this.lossWarning = err.message;
      else this.error = (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  private progress() {
    const a = this.status!.apply;
    if (this.restarting !== null)
      return html`<p role="status" data-testid="update-progress">PC2 is restarting into ${a.version ?? "the new release"}. This page carries on by itself when it is back (the new version has a few minutes to prove it is healthy; if it does not, the node goes back).</p>`;
    switch (a.step) {
      case "downloading":
        return html`<p role="status" data-testid="update-progress">Downloading PC2 ${a.version}: ${formatSize(a.received)} of ${formatSize(a.size)}… <progress max=${a.size} .value=${a.received}></progress></p>`;
      case "backing-up":
        return html`<p role="status" data-testid="update-progress">Backing up before the update…</p>`;
      case "restarting":
        return html`<p role="status" data-testid="update-progress">Restarting into PC2 ${a.version}…</p>`;
      case "failed":
        return html`<p role="alert" class="error" data-testid="update-progress">Not ${a.kind === "rollback" ? "rolled back" : "updated"}: ${a.error}</p>`;
      default:
        return nothing;
    }
  }

  private outcome(o: UpdateOutcome | null) {
    if (!o) return nothing;
    const when = new Date(o.at).toLocaleString();
    if (o.result === "switched")
      return html`<p role="status" data-testid="update-outcome">${o.kind === "update" ? `Updated from ${o.from} to ${o.to}` : `Rolled back from ${o.from} to ${o.to}`} (${when}). <button class="link" @click=${() => location.reload()}>Reload the desktop</button></p>`;
    return html`<p role="alert" class="error" data-testid="update-outcome">${o.kind === "update" ? `The update to ${o.to} did not work and was rolled back to ${o.from}` : `The rollback to ${o.to} did not work; ${o.from} still runs`} (${when}): ${o.reason}</p>`;
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
              ${this.progress()}
              ${this.restarting === null && this.following === null ? this.outcome(s.lastOutcome) : nothing}
              <div class="row">
                ${s.state === "not-configured" ? nothing : html`<button @click=${() => this.check()} ?disabled=${this.busy || this.restarting !== null}>${this.busy ? "Working…" : "Check now"}</button>`}
                ${s.state === "available" && s.managed && this.restarting === null && s.apply.step !== "downloading" && s.apply.step !== "backing-up" ? html`<button class="primary" @click=${() => this.apply()} ?disabled=${this.busy}>Update to ${s.available!.version}</button>` : nothing}
                ${s.previous && this.restarting === null ? html`<button @click=${() => this.rollback(false)} ?disabled=${this.busy}>Roll back to ${s.previous}</button>` : nothing}
              </div>
              ${this.lossWarning ? html`<p role="alert" class="error" data-testid="rollback-warning">${this.lossWarning}</p><button class="danger" @click=${() => this.rollback(true)}>Roll back and lose those changes</button>` : nothing}`
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
