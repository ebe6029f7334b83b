-- AI: conversations and their messages, per wallet; OpenAI-compatible cloud connections per wallet
-- (the API key sealed with the node's vault key); each wallet's default model.
CREATE TABLE ai_conversations (
  id          TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,
  title       TEXT NOT NULL,
  model       TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX ai_conversations_owner ON ai_conversations (owner, updated_at);

CREATE TABLE ai_messages (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id  TEXT NOT NULL REFERENCES ai_conversations (id) ON DELETE CASCADE,
  role             TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  content          TEXT NOT NULL,
  attachments      TEXT NOT NULL DEFAULT '[]', -- JSON: [{ path, name, size }]
  model            TEXT,
  stop_reason      TEXT,
  created_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX ai_messages_conversation ON ai_messages (conversation_id, id);

CREATE TABLE ai_cloud_connections (
  owner       TEXT NOT NULL,
  name        TEXT NOT NULL,
  base_url    TEXT NOT NULL,
  sealed_key  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (owner, name)
) STRICT;

CREATE TABLE ai_preferences (
  owner          TEXT PRIMARY KEY,
  default_model  TEXT NOT NULL
) STRICT;
