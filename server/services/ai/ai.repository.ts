// SQL for AI: conversations, messages, cloud connections and default models, all per wallet.
import type { Database } from "../../db/database.ts";

export interface ConversationRow {
  id: string;
  owner: string;
  title: string;
  model: string;
  created_at: number;
  updated_at: number;
}

export interface MessageRow {
  id: number;
  conversation_id: string;
  role: "user" | "assistant";
  content: string;
  attachments: string;
  model: string | null;
  stop_reason: string | null;
  created_at: number;
}

export interface CloudConnectionRow {
  owner: string;
  name: string;
  base_url: string;
  sealed_key: string;
  created_at: number;
}

export class AiRepository {
  constructor(private readonly db: Database) {}

  conversations(owner: string): ConversationRow[] {
    return this.db.query<ConversationRow, [string]>("SELECT * FROM ai_conversations WHERE owner = ? ORDER BY updated_at DESC, id").all(owner);
  }

  conversation(owner: string, id: string): ConversationRow | null {
    return this.db.query<ConversationRow, [string, string]>("SELECT * FROM ai_conversations WHERE owner = ? AND id = ?").get(owner, id);
  }

  insertConversation(row: ConversationRow): void {
    this.db.query("INSERT INTO ai_conversations (id, owner, title, model, created_at, updated_at) VALUES ($id, $owner, $title, $model, $created_at, $updated_at)").run(row as never);
  }

  rename(owner: string, id: string, title: string): boolean {
    return this.db.query("UPDATE ai_conversations SET title = ? WHERE owner = ? AND id = ?").run(title, owner, id).changes > 0;
  }

  deleteConversation(owner: string, id: string): boolean {
    return this.db.query("DELETE FROM ai_conversations WHERE owner = ? AND id = ?").run(owner, id).changes > 0;
  }

  /** Bytes of chat history `owner` has the node keep (titles, messages, attachment lists), for the quota. */
  storedBytes(owner: string): number {
    const messages =
      this.db
        .query<{ n: number | null }, [string]>(
          "SELECT sum(length(CAST(m.content AS BLOB)) + length(CAST(m.attachments AS BLOB))) AS n FROM ai_messages m JOIN ai_conversations c ON c.id = m.conversation_id WHERE c.owner = ?",
        )
        .get(owner)!.n ?? 0;
    const titles = this.db.query<{ n: number | null }, [string]>("SELECT sum(length(CAST(title AS BLOB))) AS n FROM ai_conversations WHERE owner = ?").get(owner)!.n ?? 0;
    return messages + titles;
  }

  messages(conversationId: string): MessageRow[] {
    return this.db.query<MessageRow, [string]>("SELECT * FROM ai_messages WHERE conversation_id = ? ORDER BY id").all(conversationId);
  }

  /** Append a message and touch its conversation (the caller wraps both in a transaction). */
  addMessage(m: Omit<MessageRow, "id">, model: string): void {
    this.db
      .query(
        "INSERT INTO ai_messages (conversation_id, role, content, attachments, model, stop_reason, created_at) VALUES ($conversation_id, $role, $content, $attachments, $model, $stop_reason, $created_at)",
      )
      .run(m as never);
    this.db.query("UPDATE ai_conversations SET updated_at = ?, model = ? WHERE id = ?").run(m.created_at, model, m.conversation_id);
  }

  connections(owner: string): CloudConnectionRow[] {
    return this.db.query<CloudConnectionRow, [string]>("SELECT * FROM ai_cloud_connections WHERE owner = ? ORDER BY name").all(owner);
  }

  connection(owner: string, name: string): CloudConnectionRow | null {
    return this.db.query<CloudConnectionRow, [string, string]>("SELECT * FROM ai_cloud_connections WHERE owner = ? AND name = ?").get(owner, name);
  }

  putConnection(row: CloudConnectionRow): void {
    this.db
      .query(
        "INSERT INTO ai_cloud_connections (owner, name, base_url, sealed_key, created_at) VALUES ($owner, $name, $base_url, $sealed_key, $created_at) ON CONFLICT (owner, name) DO UPDATE SET base_url = excluded.base_url, sealed_key = excluded.sealed_key",
      )
      .run(row as never);
  }

  deleteConnection(owner: string, name: string): boolean {
    return this.db.query("DELETE FROM ai_cloud_connections WHERE owner = ? AND name = ?").run(owner, name).changes > 0;
  }

  defaultModel(owner: string): string | null {
    return this.db.query<{ default_model: string }, [string]>("SELECT default_model FROM ai_preferences WHERE owner = ?").get(owner)?.default_model ?? null;
  }

  setDefaultModel(owner: string, model: string): void {
    this.db.query("INSERT INTO ai_preferences (owner, default_model) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET default_model = excluded.default_model").run(owner, model);
  }
}
