// A folder downloaded as a zip, with the browser showing its progress where it can: through the
// service worker (web/download-worker.ts), which gives the streamed zip its length. A page's
// `<a download>` bypasses service workers, a navigation does not: the zip is opened in a hidden
// frame (the node answers with an attachment, so nothing is shown and the desktop stays). When the
// node refuses (too large, gone), the worker answers the frame with nothing and tells the page why.
// Without a service worker (plain HTTP on the LAN), it is an ordinary download.

const FRAME_LIFETIME_MS = 10 * 60_000;

/**
 * Installs the service worker (once the desktop is up: the sign-in screen never waits for it).
 * Browsers allow service workers in secure contexts only; the desktop works the same without one.
 */
export function registerDownloadWorker(): void {
  if (!isSecureContext || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/download-worker.js", { scope: "/api/files/" }).catch((err) => console.warn("zip download progress is off:", err));
}

export async function downloadZip(uid: string, name: string, onFailed: (message: string) => void): Promise<void> {
  const url = `/api/files/zip?uid=${encodeURIComponent(uid)}`;
  const worker = "serviceWorker" in navigator ? await navigator.serviceWorker.getRegistration("/api/files/").catch(() => undefined) : undefined;
  if (!worker?.active) {
    const a = document.createElement("a");
    a.href = url;
    a.download = `${name}.zip`;
    a.click();
    return;
  }
  const absolute = new URL(url, location.href).href;
  const onMessage = (event: MessageEvent) => {
    const data = event.data as { type?: string; url?: string; message?: string } | null;
    if (data?.type !== "zip-failed" || data.url !== absolute) return;
    done();
    onFailed(data.message ?? "The zip could not be made");
  };
  const frame = document.createElement("iframe");
  frame.hidden = true;
  frame.title = `Download of ${name}.zip`;
  const timer = setTimeout(() => done(), FRAME_LIFETIME_MS);
  const done = () => {
    clearTimeout(timer);
    navigator.serviceWorker.removeEventListener("message", onMessage);
    frame.remove();
  };
  navigator.serviceWorker.addEventListener("message", onMessage);
  frame.src = url;
  document.body.append(frame);
}
