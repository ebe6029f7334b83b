// Users of this node: the Owner invites, changes roles and removes; exactly one Owner, always.
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../errors.ts";
import type { EventBus } from "../../events.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { InviteBody, UserChangeBody } from "./auth.schemas.ts";
import type { Principal, Role } from "../../principal.ts";
import type { UserRow, UsersRepository } from "./users.repository.ts";
import { isWalletAddress } from "./wallet-signatures.ts";

export interface UserView {
  address: string;
  /** The name the Owner gave them, if any. */
  name: string | null;
  role: Role;
  invitedBy: string | null;
  createdAt: string;
}

function view(u: UserRow): UserView {
  return { address: u.address, name: u.name, role: u.role, invitedBy: u.invited_by, createdAt: new Date(u.created_at).toISOString() };
}

/** Lowercase 0x address, or a 400 (any case is accepted; no checksum is asked for). */
export function normalizeAddress(value: unknown): string {
  if (typeof value !== "string" || !isWalletAddress(value)) {
    throw new ValidationError("address must be a 0x-prefixed Ethereum address", { field: "address" });
  }
  return value.toLowerCase();
}

export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  list(): UserView[] {
    return this.users.list().map(view);
  }

  invite(by: Principal, input: InviteBody, ip: string): UserView {
    const address = normalizeAddress(input.address);
    const role = input.role;
    if (this.users.get(address)) throw new ConflictError("This wallet is already a user of this node", "user_exists");
    this.users.insert(address, role, by.address, Date.now());
    this.audit.record({ actor: by.address, action: "user.invited", target: address, ip, detail: { role } });
    return view(this.users.get(address)!);
  }

  /** Change a user's role and/or name (the Owner's name too; never the Owner's role). */
  change(by: Principal, addressParam: string, change: UserChangeBody, ip: string): UserView {
    const address = normalizeAddress(addressParam);
    const user = this.users.get(address);
    if (!user) throw new NotFoundError("No such user", "user_not_found");
    if (change.role === undefined && change.name === undefined) throw new ValidationError("give a role, a name, or both");
    if (change.name !== undefined) {
      const name = change.name === null ? null : change.name.trim();
      if (name === "") throw new ValidationError("name: must not be blank (null removes it)", { field: "name" });
      if (name !== user.name) {
        this.users.setName(address, name, Date.now());
        this.audit.record({ actor: by.address, action: "user.renamed", target: address, ip, detail: { name } });
      }
    }
    return change.role === undefined ? view(this.users.get(address)!) : this.changeRole(by, address, change.role, ip);
  }

  changeRole(by: Principal, addressParam: string, role: InviteBody["role"], ip: string): UserView {
    const address = normalizeAddress(addressParam);
    const user = this.users.get(address);
    if (!user) throw new NotFoundError("No such user", "user_not_found");
    if (user.role === "owner") throw new ForbiddenError("The Owner's role cannot be changed", "owner_immutable");
    if (user.role !== role) {
      this.users.setRole(address, role, Date.now());
      this.audit.record({ actor: by.address, action: "user.role_changed", target: address, ip, detail: { from: user.role, to: role } });
      this.events.emit("auth.user_changed", { address, removed: false });
    }
    return view(this.users.get(address)!);
  }

  /** Remove a user; their sessions and tokens die with them (and their sockets close). */
  remove(by: Principal, addressParam: string, ip: string): void {
    const address = normalizeAddress(addressParam);
    const user = this.users.get(address);
    if (!user) throw new NotFoundError("No such user", "user_not_found");
    if (user.role === "owner") throw new ForbiddenError("The Owner cannot be removed (use `pc2 owner reset` on the node)", "owner_immutable");
    this.users.delete(address);
    this.audit.record({ actor: by.address, action: "user.removed", target: address, ip, detail: { role: user.role } });
    this.events.emit("auth.user_changed", { address, removed: true });
  }
}
