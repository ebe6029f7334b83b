// Sign in for real: an ethers Wallet signs the node's EIP-4361 challenge.
import { Wallet } from "ethers";
import { setRequestMeta } from "../../server/http/request-meta.ts";

export type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

/** A fetcher against a running node's base URL. */
export function httpFetcher(baseUrl: string): Fetcher {
  return (path, init) => fetch(baseUrl + path, init);
}

/** A fetcher that drives an app in-process (app.handle), as a client at `ip` (the TCP peer the transport would report). */
export function appFetcher(app: { handle(r: Request): Promise<Response> }, origin = "http://127.0.0.1:4200", ip?: string): Fetcher {
  return (path, init) => {
    const request = new Request(origin + path, init);
    if (ip) setRequestMeta(request, { ip });
    return app.handle(request);
  };
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

export interface SignedIn {
  wallet: Wallet;
  address: string;
  token: string;
  cookie: string;
  role: string;
  bearer: Record<string, string>;
}

export async function challenge(f: Fetcher, address: string): Promise<{ message: string; nonce: string; expiresAt: string }> {
  const res = await f("/api/auth/challenge", json({ address }));
  if (res.status !== 200) throw new Error(`challenge failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Challenge, sign, log in. Throws with the server's answer when it is not 200. */
export async function signIn(f: Fetcher, wallet: Wallet = Wallet.createRandom() as unknown as Wallet, setupCode?: string): Promise<SignedIn> {
  const { message } = await challenge(f, wallet.address);
  const signature = await wallet.signMessage(message);
  const res = await f("/api/auth/login", json({ message, signature, ...(setupCode ? { setupCode } : {}) }));
  const body = await res.json();
  if (res.status !== 200) throw Object.assign(new Error(`login failed: ${res.status} ${body.code}`), { status: res.status, body });
  const cookie = /pc2_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
  return { wallet, address: wallet.address.toLowerCase(), token: body.token, cookie, role: body.user.role, bearer: { authorization: `Bearer ${body.token}` } };
}

export function newWallet(): Wallet {
  return Wallet.createRandom() as unknown as Wallet;
}

/** Claim a fresh node: the first wallet with the setup code becomes Owner. */
export async function claimOwner(f: Fetcher, setupCode: string): Promise<SignedIn> {
  return signIn(f, newWallet(), setupCode);
}

/** The Owner invites a wallet with a role, and that wallet signs in. */
export async function addUser(f: Fetcher, owner: SignedIn, role: "admin" | "member"): Promise<SignedIn> {
  const wallet = newWallet();
  const res = await f("/api/users", json({ address: wallet.address, role }, owner.bearer));
  if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${await res.text()}`);
  return signIn(f, wallet);
}

/** A node's three kinds of user, signed in: the Owner (claiming it with the setup code), an Admin and a Member. */
export async function ownerAdminMember(f: Fetcher, setupCode: string): Promise<{ owner: SignedIn; admin: SignedIn; member: SignedIn }> {
  const owner = await claimOwner(f, setupCode);
  return { owner, admin: await addUser(f, owner, "admin"), member: await addUser(f, owner, "member") };
}

/** Mint an API token for `who` with the given scopes (POST /api/tokens); throws unless the node answers 201. */
export async function mintToken(f: Fetcher, who: SignedIn, scopes: string[], name = "test"): Promise<string> {
  const res = await f("/api/tokens", json({ name, scopes }, who.bearer));
  if (res.status !== 201) throw new Error(`token mint failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
