// SQL for users and their roles.
import type { Database } from "../../db/database.ts";
import type { Role } from "../../principal.ts";

export interface UserRow {
  address: string;
  role: Role;
  invited_by: string | null;
  name: string | null;
  created_at: number;
  updated_at: number;
}

export class UsersRepository {
  constructor(private readonly db: Database) {}

  get(address: string): UserRow | null {
    return this.db.query<UserRow, [string]>("SELECT * FROM users WHERE address = ?").get(address);
  }

  list(): UserRow[] {
    return this.db.query<UserRow, []>("SELECT * FROM users ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, created_at").all();
  }

  owner(): UserRow | null {
    return this.db.query<UserRow, []>("SELECT * FROM users WHERE role = 'owner'").get();
  }

  insert(address: string, role: Role, invitedBy: string | null, now: number): void {
    this.db.query("INSERT INTO users (address, role, invited_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?)").run(address, role, invitedBy, now, now);
  }

  setName(address: string, name: string | null, now: number): boolean {
    return this.db.query("UPDATE users SET name = ?, updated_at = ? WHERE address = ?").run(name, now, address).changes === 1;
  }

  setRole(address: string, role: Role, now: number): boolean {
    return this.db.query("UPDATE users SET role = ?, updated_at = ? WHERE address = ?").run(role, now, address).changes === 1;
  }

  /** Sessions and tokens go with the user (ON DELETE CASCADE). */
  delete(address: string): boolean {
    return this.db.query("DELETE FROM users WHERE address = ?").run(address).changes === 1;
  }
}
