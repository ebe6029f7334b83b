// Browser wallets (EIP-1193), found through EIP-6963 discovery or window.ethereum, and the sign-in flow.
// Other connectors (WalletConnect, social logins) need their vendors' cloud: they plug in as another
// WalletProvider with the same request() shape.
import { ApiError, api, type User } from "./rest-client.ts";

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface WalletChoice {
  id: string;
  name: string;
  icon: string | null;
  provider: Eip1193Provider;
}

export class NoWalletError extends Error {
  constructor() {
    super("No wallet was found in this browser");
    this.name = "NoWalletError";
  }
}

export class WalletRejectedError extends Error {
  constructor() {
    super("The request was rejected in the wallet");
    this.name = "WalletRejectedError";
  }
}

export class WrongAccountError extends Error {
  /** `connected` is the account the wallet connected; the signature came from another. */
  constructor(readonly connected: string) {
    super("The wallet signed with a different account");
    this.name = "WrongAccountError";
  }
}

/** Wallets announced through EIP-6963 within `waitMs`, else window.ethereum, else none. */
export async function discoverWallets(waitMs = 150): Promise<WalletChoice[]> {
  const found = new Map<string, WalletChoice>();
  const onAnnounce = (e: Event) => {
    const d = (e as CustomEvent<{ info: { uuid: string; name: string; icon?: string; rdns?: string }; provider: Eip1193Provider }>).detail;
    if (d?.info && d.provider) found.set(d.info.uuid, { id: d.info.rdns ?? d.info.uuid, name: d.info.name, icon: d.info.icon ?? null, provider: d.provider });
  };
  window.addEventListener("eip6963:announceProvider", onAnnounce);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  await new Promise((r) => setTimeout(r, waitMs));
  window.removeEventListener("eip6963:announceProvider", onAnnounce);
  if (found.size) return [...found.values()];
  const injected = (window as unknown as { ethereum?: Eip1193Provider }).ethereum;
  return injected ? [{ id: "injected", name: "Browser wallet", icon: null, provider: injected }] : [];
}

async function call<T>(provider: Eip1193Provider, method: string, params?: unknown[]): Promise<T> {
  try {
    return (await provider.request({ method, ...(params ? { params } : {}) })) as T;
  } catch (err) {
    if ((err as { code?: number }).code === 4001) throw new WalletRejectedError();
    throw err;
  }
}

function toHex(text: string): string {
  return "0x" + [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The wallet signed in fine, but the node does not know its address (yet). */
export class NotInvitedError extends Error {
  constructor(
    readonly address: string,
    message: string,
  ) {
    super(message);
  }
}

/** Ask the wallet for an account, get the node's message signed, and sign in. */
export async function signInWithWallet(provider: Eip1193Provider, setupCode?: string): Promise<User> {
  const accounts = await call<string[]>(provider, "eth_requestAccounts");
  const address = accounts?.[0];
  if (!address) throw new WalletRejectedError();
  const chainId = Number.parseInt(String(await call<string>(provider, "eth_chainId").catch(() => "0x1")), 16) || 1;
  const { message } = await api.challenge(address, chainId);
  const signature = await call<string>(provider, "personal_sign", [toHex(message), address]);
  try {
    return (await api.login(message, signature, setupCode)).user;
  } catch (err) {
    if (err instanceof ApiError && err.code === "invalid_signature") throw new WrongAccountError(address);
    // Not invited: the visitor needs their address to send to the Owner.
    if (err instanceof ApiError && err.code === "not_invited") throw new NotInvitedError(address.toLowerCase(), err.message);
    throw err;
  }
}
