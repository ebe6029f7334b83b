// The desktop's service worker, for one job: a folder's zip shows its progress in the browser's
// downloads. The node streams the zip as it builds it and knows its exact size ahead (X-Zip-Length),
// but Bun's server cannot send Content-Length with a streamed body (oven-sh/bun#10507): this worker
// puts the announced length back, so the download shows a percentage and time left, not just bytes.
// It registers only for /api/files/ (nothing else passes through it) and needs a secure context
// (HTTPS, or the node's own loopback address); elsewhere downloads simply show bytes. A page's
// `<a download>` is not seen by service workers: the desktop opens the zip in a hidden frame.

// The parts of the service worker scope used here (the project's types are the DOM's, not a worker's).
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
const worker = self as unknown as {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: {
    claim(): Promise<void>;
    matchAll(options: { type: "window"; includeUncontrolled: boolean }): Promise<{ postMessage(message: unknown): void }[]>;
  };
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
};

worker.addEventListener("install", () => void worker.skipWaiting());
worker.addEventListener("activate", (event) => event.waitUntil(worker.clients.claim()));

worker.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== worker.location.origin || url.pathname !== "/api/files/zip") return;
  event.respondWith(withAnnouncedLength(event.request));
});

async function withAnnouncedLength(request: Request): Promise<Response> {
  const response = await fetch(request);
  // Refused (too large, not found, signed out): the desktop's frame gets nothing to show, and the
  // desktop gets the node's message (web/apps/files/zip-download.ts).
  if (!response.ok) return refused(request.url, response);
  const length = response.headers.get("x-zip-length");
  if (!length || !/^\d+$/.test(length) || response.headers.has("content-length")) return response;
  const headers = new Headers(response.headers);
  headers.set("content-length", length);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function refused(url: string, response: Response): Promise<Response> {
  const body = (await response.json().catch(() => null)) as { message?: string } | null;
  const message = body?.message ?? `The node answered ${response.status}`;
  for (const client of await worker.clients.matchAll({ type: "window", includeUncontrolled: true })) client.postMessage({ type: "zip-failed", url, message });
  return new Response(null, { status: 204 });
}
