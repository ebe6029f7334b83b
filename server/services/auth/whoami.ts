// GET /whoami in Puter's shape, so Puter's SDK and apps recognise the signed-in wallet.
import type { Principal } from "../../principal.ts";
import type { UserRow } from "./users.repository.ts";

/** `directories` maps each home folder's path to its uid, as Puter's whoami does. */
export function whoami(p: Principal, user: UserRow | null, directories: Record<string, string>) {
  const created = Math.floor((user?.created_at ?? Date.now()) / 1000);
  return {
    username: p.address,
    uuid: p.address,
    address: p.address,
    role: p.role,
    email: null,
    unconfirmed_email: null,
    email_confirmed: true,
    requires_email_confirmation: false,
    requires_phone_verification: false,
    requires_card_verification: false,
    is_temp: false,
    is_user_token: p.kind === "session",
    oidc_only: false,
    otp: false,
    taskbar_items: [],
    feature_flags: {},
    metadata: {},
    directories,
    created_ts: created,
    last_activity_ts: Math.floor(Date.now() / 1000),
  };
}
