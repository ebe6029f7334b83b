// <pc2-wasm-install>: the form that installs a .wasm as one of the user's WASM apps; fires "installed".
import { LitElement, css, html } from "lit";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { installApp } from "./wasm-apps-api.ts";

export class Pc2WasmInstall extends LitElement {
  static override properties = { problem: { state: true }, busy: { state: true } };
  problem: string | null = null;
  busy = false;

  static override styles = [
    sharedStyles,
    css`
      form { display: grid; gap: 0.5rem; max-width: 32rem; }
      label { display: grid; gap: 0.2rem; }
    `,
  ];

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const module = data.get("module");
    if (!(module instanceof File) || module.size === 0) return void (this.problem = "Choose a .wasm file");
    const args = String(data.get("args") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((name) => ({ name }));
    this.busy = true;
    try {
      const app = await installApp({ name: String(data.get("name")), description: String(data.get("description") ?? ""), icon: String(data.get("icon") ?? "") || undefined, args }, module);
      this.problem = null;
      form.reset();
      this.dispatchEvent(new CustomEvent("installed", { detail: app }));
    } catch (err) {
      this.problem = (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`<form @submit=${this.submit} aria-label="Install a WASM app">
      <label>Module (.wasm, WASI) <input name="module" type="file" accept=".wasm,application/wasm" required /></label>
      <label>Name <input name="name" required pattern="[a-z0-9][a-z0-9\\-]{0,39}" placeholder="my-app" /></label>
      <label>Description <input name="description" maxlength="500" /></label>
      <label>Icon (an emoji) <input name="icon" maxlength="4" /></label>
      <label>Arguments (names, comma-separated) <input name="args" placeholder="input, mode" /></label>
      ${this.problem ? html`<p role="alert" class="error">${this.problem}</p>` : ""}
      <button class="primary" ?disabled=${this.busy}>Install</button>
    </form>`;
  }
}

customElements.define("pc2-wasm-install", Pc2WasmInstall);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-wasm-install": Pc2WasmInstall;
  }
}
