// Drive an Elysia app in-process: no socket, the fastest way to test routes.
export interface HandlesRequests {
  handle(request: Request): Promise<Response>;
}

export async function appRequest(app: HandlesRequests, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const res = await app.handle(new Request(`http://127.0.0.1:4200${path}`, init));
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}
