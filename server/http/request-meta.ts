// Facts the transport knows about a request (the peer address) that a Request object does not carry.

interface RequestMeta {
  ip: string;
}

const meta = new WeakMap<Request, RequestMeta>();

export function setRequestMeta(request: Request, value: RequestMeta): void {
  meta.set(request, value);
}

/** The TCP peer address. Forwarded-for headers are never trusted here: a client can write anything. */
export function clientIp(request: Request): string {
  return meta.get(request)?.ip ?? "unknown";
}
