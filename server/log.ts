// Structured logger: JSON lines (or a readable line on a terminal), child loggers, secret redaction.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "json" | "pretty";
export type LogFields = Record<string, unknown>;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names whose values never reach a log line, whatever their nesting. */
const SECRET_KEY = /(token|secret|passw|mnemonic|phrase|setup.?code|private.?key|authorization|cookie|signature|api.?key|seed)/i;

export interface LogSink {
  write(line: string): void;
}

export const stdoutSink: LogSink = { write: (line) => process.stdout.write(line + "\n") };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  sink?: LogSink;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(options: LoggerOptions, bindings: LogFields = {}): Logger {
  const sink = options.sink ?? stdoutSink;
  const min = LEVELS[options.level];

  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[level] < min) return;
    const record = redact({ ...bindings, ...fields }) as LogFields;
    if (options.format === "json") {
      sink.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...record }));
      return;
    }
    const extras = Object.entries(record)
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(" ");
    sink.write(`${new Date().toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${msg}${extras ? " " + extras : ""}`);
  };

  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (more) => createLogger(options, { ...bindings, ...more }),
  };
}
