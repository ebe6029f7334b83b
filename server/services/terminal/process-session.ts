// Every process in a terminal's session (the shell is its session leader), found through /proc.
import { readdirSync, readFileSync } from "node:fs";

// Not mutated (Stryker): a mutant of this matching (any field, any comparison) selects every process
// on the machine for killSession to SIGKILL, Stryker and the machine's shell included.
// Stryker disable all
/**
 * Live pids whose session id (field 6 of /proc/<pid>/stat) is `sid`: the shell, its jobs, their
 * children. Zombies (state Z) are left out: they are dead already, and where PID 1 does not reap
 * (a container without an init) they would stay forever and every close would sweep them in vain.
 */
export function processesInSession(sid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name (field 2) may contain spaces and parentheses: count fields after the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[3]) === sid && fields[0] !== "Z") pids.push(Number(name));
    } catch {
      /* the process ended while we looked */
    }
  }
  return pids;
}
// Stryker restore all

/**
 * Kill every process in the session, sweeping again until none is left: a process can fork between
 * one /proc snapshot and the kill (a busy rc file, a loop). Bounded: at most `rounds` sweeps.
 */
export async function killSession(sid: number, rounds = 20): Promise<number> {
  let n = 0;
  for (let i = 0; i < rounds; i++) {
    const pids = processesInSession(sid);
    if (pids.length === 0) return n;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
        n++;
      } catch {
        /* already gone */
      }
    }
    await Bun.sleep(10);
  }
  return n;
}
