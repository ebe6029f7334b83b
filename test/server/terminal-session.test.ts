// One PTY's output policy (terminal-session.ts), on a real shell: a flood is cut at the budget and
// the client is told how much was skipped; the budget comes back when its window has passed; the
// scrollback a reattaching client gets is capped; typed input reaches the shell; close leaves the
// shell gone. Mutation testing showed the arithmetic behind these was untested.
import { expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { killSession, processesInSession } from "../../server/services/terminal/process-session.ts";
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
  /** Turn the terminal's flow control off (as full-screen programs do): a flood is then cut, not stopped. */
  const noFlowControl = async () => {
    await waitFor(/\$ $/);
    out = "";
    s.write("stty -ixon\r");
    await waitFor(/\$ $/);
    out = "";
  };
  return { s, waitFor, noFlowControl, output: () => out, clear: () => void (out = "") };
}

test("with flow control off, a flood is cut at the budget with a note of how much was skipped; the budget returns after its window", async () => {
  const { s, waitFor, noFlowControl, output, clear } = session();
  try {
    await noFlowControl();
    // 20,000 Q's at once: far over the 2,000-character budget.
    s.write("head -c 20000 /dev/zero | tr '\\0' Q; echo; echo done-$((6*7))\r");
    await waitFor(/\[… \d+ bytes of output skipped …\]/);
    // Cut, not buffered: far fewer than the 20,000 reached the client.
    expect((output().match(/Q/g) ?? []).length).toBeLessThanOrEqual(2000);
    // The window passes: output flows again.
    await Bun.sleep(500);
    clear();
    s.write("echo after-$((6*7))\r");
    await waitFor(/after-42/);
    // What a reattaching client gets is capped at the scrollback size (once the last flush is out).
    await waitFor(/after-42[\s\S]*\$ $/);
    const end = Date.now() + 2000;
    while (s.history() !== output().slice(-1000) && Date.now() < end) await Bun.sleep(10);
    expect(s.history().length).toBe(1000);
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

/** Feed bytes as if the PTY had read them (chunk boundaries chosen by the test, which a shell cannot do). */
const feed = (s: TerminalSession, ...chunks: (string | number[])[]) => {
  for (const c of chunks) (s as unknown as { onData(b: Uint8Array): void }).onData(typeof c === "string" ? new TextEncoder().encode(c) : new Uint8Array(c));
};

test("what a reattaching client draws is exactly what was sent, with no note when nothing was skipped", async () => {
  const { s, waitFor, output } = session();
  try {
    await waitFor(/\$ $/);
    expect(output()).toBe("$ "); // the shell's first prompt, nothing before it
    s.write("echo plain-$((6*7))\r");
    await waitFor(/plain-42[\s\S]*\$ $/);
    const end = Date.now() + 2000;
    while (s.history() !== output() && Date.now() < end) await Bun.sleep(10);
    expect(s.history()).toBe(output());
    expect(output()).not.toContain("skipped");
  } finally {
    await s.close();
  }
});

test("a character split across two reads arrives whole", async () => {
  const { s, output, clear } = session();
  try {
    await Bun.sleep(100);
    clear();
    const e = [...new TextEncoder().encode("é€")]; // 2 + 3 bytes
    feed(s, e.slice(0, 1), e.slice(1, 3), e.slice(3));
    const end = Date.now() + 2000;
    while (!output().includes("é€") && Date.now() < end) await Bun.sleep(10);
    expect(output()).toContain("é€");
    expect(output()).not.toContain("\uFFFD");
  } finally {
    await s.close();
  }
});

test("in a shell's ordinary mode a flood is stopped, not cut: every byte arrives, a budget per window, and Ctrl+C still ends it", async () => {
  const { s, waitFor, output, clear } = session({ maxFlushBytes: 2000, budgetWindowMs: 300 });
  try {
    await waitFor(/\$ $/);
    clear();
    const began = performance.now();
    // 12,000 Q's at once: six windows' budgets. (The command names Q in octal, so its echo has none.)
    s.write("head -c 12000 /dev/zero | tr '\\0' '\\121'; echo; echo done-$((6*7))\r");
    await waitFor(/done-42/, 10_000);
    expect((output().match(/Q/g) ?? []).length).toBe(12_000);
    expect(output()).not.toContain("skipped");
    // No faster than the budget allows: at most 2,000 a window, so the sixth thousand-pair came five windows in.
    expect(performance.now() - began).toBeGreaterThanOrEqual(5 * 300 - 50);
    // A flood without end is stopped window after window; Ctrl+C reaches the program all the same,
    // and drops what is held: the prompt does not wait behind megabytes drained 2,000 a window.
    // (Whether `yes` got past the held cap in the moment STOP took to act depends on the machine's
    // load — documented, and skipped with a note — so it is not asserted here.)
    clear();
    s.write("yes\r");
    await Bun.sleep(1000);
    s.write("\x03");
    s.write("echo after-$((6*7))\r");
    await waitFor(/after-42[\s\S]*\$ $/, 10_000);
  } finally {
    await s.close();
  }
}, 30_000);

test("with flow control off, one read larger than the whole budget is cut inside it, and the note counts the rest exactly", async () => {
  const { s, output, noFlowControl } = session({ maxFlushBytes: 1000, budgetWindowMs: 60_000, flushMs: 30 });
  try {
    await noFlowControl();
    const spent = (s as unknown as { windowSent: number }).windowSent;
    feed(s, "Q".repeat(5000));
    const end = Date.now() + 2000;
    while (!output().includes("skipped") && Date.now() < end) await Bun.sleep(10);
    expect((output().match(/Q/g) ?? []).length).toBe(1000 - spent);
    expect(output()).toContain(`[… ${4000 + spent} bytes of output skipped …]`);
  } finally {
    await s.close();
  }
});

test("with flow control off, the budget is a hard cap: once exactly spent, the next byte is skipped and counted", async () => {
  const { s, output, noFlowControl } = session({ maxFlushBytes: 1000, budgetWindowMs: 60_000, flushMs: 30 });
  try {
    await noFlowControl();
    // Start a fresh window's accounting from here: spend the rest of it exactly.
    const spent = (s as unknown as { windowSent: number }).windowSent;
    feed(s, "A".repeat(1000 - spent), "B");
    const end = Date.now() + 2000;
    while (!output().includes("skipped") && Date.now() < end) await Bun.sleep(10);
    expect(output()).toContain("[… 1 bytes of output skipped …]");
    expect(output()).not.toContain("B");
  } finally {
    await s.close();
  }
});

test("the budget spans every flush in its window: a steady stream gets no more than a flood", async () => {
  const { s, waitFor, noFlowControl, output } = session({ maxFlushBytes: 1000, budgetWindowMs: 3000 });
  try {
    await noFlowControl();
    // 300 Q's every 50 ms, ten times: many flushes, one window. (The command names Q in octal, so its echo has none.)
    s.write("for i in 1 2 3 4 5 6 7 8 9 10; do head -c 300 /dev/zero | tr '\\0' '\\121'; sleep 0.05; done\r");
    await waitFor(/bytes of output skipped/);
    await Bun.sleep(700);
    expect((output().match(/Q/g) ?? []).length).toBeLessThanOrEqual(1000);
  } finally {
    await s.close();
  }
});

test("output that arrives while no client is attached is kept for the next one", async () => {
  const { s, clear } = session();
  try {
    await Bun.sleep(100);
    s.sink = null;
    clear();
    feed(s, "while-detached");
    await Bun.sleep(100); // past the flush
    expect(s.history()).toContain("while-detached");
  } finally {
    await s.close();
  }
});

test("close hangs up the terminal first: the shell ends by itself, and nothing needs killing", async () => {
  const { s, waitFor } = session();
  await waitFor(/\$ $/);
  const started = performance.now();
  await s.close(5000);
  // A shell that had to wait out the grace period and be killed would show SIGKILL and take 5 s.
  expect((s as unknown as { proc: { signalCode: string | null } }).proc.signalCode).not.toBe("SIGKILL");
  expect(performance.now() - started).toBeLessThan(4000);
});

test("killSession kills every process of a session, its jobs too, and says how many", async () => {
  const leader = Bun.spawn(["setsid", "sh", "-c", `sleep 7771.${process.pid % 1000} & sleep 7772.${process.pid % 1000} & wait`], { stdout: "ignore", stderr: "ignore" });
  const end = Date.now() + 5000;
  while (processesInSession(leader.pid).length < 3 && Date.now() < end) await Bun.sleep(10);
  expect(processesInSession(leader.pid)).toHaveLength(3);
  expect(await killSession(leader.pid)).toBeGreaterThanOrEqual(3);
  await leader.exited;
  expect(processesInSession(leader.pid)).toEqual([]);
});
