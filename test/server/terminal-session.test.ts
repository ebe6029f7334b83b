// One PTY's output policy (terminal-session.ts), on a real shell: a flood is cut at the budget and
// the client is told how much was skipped; the budget comes back when its window has passed; the
// scrollback a reattaching client gets is capped; typed input reaches the shell; close leaves the
// shell gone. Mutation testing showed the arithmetic behind these was untested.
import { expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { TerminalSession } from "../../server/services/terminal/terminal-session.ts";

function session(overrides: Partial<ConstructorParameters<typeof TerminalSession>[0]> = {}) {
  const s = new TerminalSession({
    shell: "/bin/sh",
    cwd: tmpdir(),
    env: { PATH: "/usr/bin:/bin", PS1: "$ ", TERM: "xterm-256color" },
    cols: 80,
    rows: 24,
    flushMs: 16,
    maxFlushBytes: 2000,
    budgetWindowMs: 400,
    scrollbackBytes: 1000,
    ...overrides,
  });
  let out = "";
  s.sink = (data) => void (out += data);
  const waitFor = async (pattern: RegExp, ms = 5000) => {
    const end = Date.now() + ms;
    while (!pattern.test(out)) {
      if (Date.now() > end) throw new Error(`no ${pattern} in output:\n${out.slice(-300)}`);
      await Bun.sleep(10);
    }
  };
  return { s, waitFor, output: () => out, clear: () => void (out = "") };
}

test("a flood is cut at the budget with a note of how much was skipped; the budget returns after its window", async () => {
  const { s, waitFor, output, clear } = session();
  try {
    await waitFor(/\$ $/);
    clear();
    // 20,000 Q's at once: far over the 2,000-character budget.
    s.write("head -c 20000 /dev/zero | tr '\\\\0' Q; echo; echo done-$((6*7))\r");
    await waitFor(/\[… \d+ bytes of output skipped …\]/);
    // Cut, not buffered: far fewer than the 20,000 reached the client.
    expect((output().match(/Q/g) ?? []).length).toBeLessThanOrEqual(2000);
    // The window passes: output flows again.
    await Bun.sleep(500);
    clear();
    s.write("echo after-$((6*7))\r");
    await waitFor(/after-42/);
    // What a reattaching client gets is capped at the scrollback size.
    expect(s.history().length).toBeLessThanOrEqual(1000 + 2000);
    expect(s.history()).toContain("after-42");
  } finally {
    await s.close();
  }
});

test("close hangs up the shell: its process is gone and its exit is reported", async () => {
  const { s, waitFor } = session();
  await waitFor(/\$ $/);
  const pid = s.pid;
  expect(pid).toBeGreaterThan(0);
  await s.close();
  expect(() => process.kill(pid, 0)).toThrow();
  expect(typeof (await s.exited)).toBe("number");
});
