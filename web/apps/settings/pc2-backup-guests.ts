// <pc2-backup-guests>: "Keep a friend's backups" in Settings › Backups. The Owner gives a friend's
// node (by its Node ID) a storage allowance here; it lists each one with what it uses and when it
// was last seen, changes the allowance, and takes it back (which deletes what that node stored —
// asked first). This node's own Node ID is shown, for the friend to do the same the other way.
import { LitElement, css, html, nothing } from "lit";
import type { BackupGuest } from "../../../server/services/backup/backup-hosting.ts";
import { api } from "../../api/rest-client.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { formatSize } from "../files/entry.ts";

const GIB = 1024 ** 3;

export class Pc2BackupGuests extends LitElement {
  static override properties = { guests: { state: true }, nodeId: { state: true }, note: { state: true }, busy: { state: true } };
  guests: BackupGuest[] = [];
  nodeId = "";
  note: { text: string; error: boolean } | null = null;
  busy = false;

  static override styles = [
    sharedStyles,
    css`
      form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin: 0.75rem 0; }
      label { display: grid; gap: 0.25rem; font-size: 0.85rem; }
      input[name="guestId"] { min-width: min(24rem, 70vw); }
      input[name="gib"] { width: 6rem; }
      code { word-break: break-all; }
      ul { list-style: none; padding: 0; display: grid; gap: 0.5rem; }
      li { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    api.identity().then(
      (i) => (this.nodeId = i.nodeId),
      () => {},
    );
  }

  private async load(): Promise<void> {
    try {
      this.guests = (await api.get<{ guests: BackupGuest[] }>("/api/backup/guests")).guests;
    } catch (err) {
      this.note = { text: (err as Error).message, error: true };
    }
  }

  private async grant(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const id = String(data.get("guestId") ?? "").trim();
    const gib = Number(data.get("gib"));
    this.busy = true;
    try {
      const guest = await api.send<BackupGuest>("PUT", `/api/backup/guests/${encodeURIComponent(id)}`, { label: String(data.get("label") ?? "").trim(), allowanceBytes: Math.round(gib * GIB) });
      this.note = { text: `${guest.label || "The node"} may now keep up to ${formatSize(guest.allowanceBytes)} of backups here.`, error: false };
      form.reset();
      await this.load();
    } catch (err) {
      this.note = { text: (err as Error).message, error: true };
    } finally {
      this.busy = false;
    }
  }

  private async revoke(g: BackupGuest): Promise<void> {
    if (!confirm(`Stop keeping backups for ${g.label || g.nodeId}? The ${formatSize(g.usedBytes)} it stored here are deleted.`)) return;
    try {
      await api.send("DELETE", `/api/backup/guests/${encodeURIComponent(g.nodeId)}`);
      this.note = { text: `Deleted the backups of ${g.label || g.nodeId}.`, error: false };
      await this.load();
    } catch (err) {
      this.note = { text: (err as Error).message, error: true };
    }
  }

  override render() {
    return html`<h3>Keep a friend's backups</h3>
      <p class="muted">A friend's PC2 node can keep its backups on this node's disk, encrypted with their phrase: this node can read none of it.
        ${this.nodeId ? html`For your backups on their node, give them this node's ID: <code data-testid="own-node-id">${this.nodeId}</code>` : nothing}</p>
      ${this.note ? html`<p role=${this.note.error ? "alert" : "status"} class=${this.note.error ? "error" : "muted"}>${this.note.text}</p>` : nothing}
      <ul aria-label="Nodes whose backups this node keeps">
        ${this.guests.map(
          (g) => html`<li>
            <strong>${g.label || "Unnamed node"}</strong>
            <code>${g.nodeId}</code>
            <span>${formatSize(g.usedBytes)} of ${formatSize(g.allowanceBytes)}</span>
            <span class="muted">${g.lastSeenAt ? `last backed up ${new Date(g.lastSeenAt).toLocaleString()}` : "not seen yet"}</span>
            <button @click=${() => this.revoke(g)} aria-label=${`Stop keeping backups for ${g.label || g.nodeId}`}>Remove</button>
          </li>`,
        )}
      </ul>
      <form aria-label="Keep a friend's backups" @submit=${(e: SubmitEvent) => this.grant(e)}>
        <label>Their Node ID <input name="guestId" required autocomplete="off" spellcheck="false" /></label>
        <label>Name <input name="label" maxlength="80" placeholder="Alice's node" autocomplete="off" /></label>
        <label>Allowance (GiB) <input name="gib" type="number" required min="0.001" step="any" value="50" /></label>
        <button ?disabled=${this.busy}>Allow</button>
      </form>`;
  }
}

customElements.define("pc2-backup-guests", Pc2BackupGuests);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-backup-guests": Pc2BackupGuests;
  }
}
