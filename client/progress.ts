// A transfer's progress on a terminal: one line redrawn in place (bytes, percent, speed) while a
// file moves, and a last line when it is done. Only on a terminal: piped output gets the last line.
import { formatBytes as fmt } from "../server/format-bytes.ts";

export interface Progress {
  /** `done` bytes moved so far. */
  update(done: number): void;
  finish(done: number): void;
}

export function progressBar(label: string, total: number | null, out: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now();
  let last = 0;
  const line = (done: number) => {
    const seconds = (performance.now() - started) / 1000;
    const speed = seconds > 0 ? `${fmt(done / seconds)}/s` : "";
    if (total === null || total === 0) return `${label} ${fmt(done)} ${speed}`;
    const share = Math.min(1, done / total);
    const width = 24;
    const filled = Math.round(share * width);
    return `${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${Math.round(share * 100)}% ${fmt(done)}/${fmt(total)} ${speed}`;
  };
  return {
    update(done) {
      if (!out.isTTY || performance.now() - last < 100) return;
      last = performance.now();
      out.write(`\r\x1b[2K${line(done)}`);
    },
    finish(done) {
      out.write(`${out.isTTY ? "\r\x1b[2K" : ""}${line(done)}\n`);
    },
  };
}
