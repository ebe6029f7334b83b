// A child process that must not outlive the node: the kernel SIGKILLs it the moment its parent dies
// (prctl PR_SET_PDEATHSIG, the mechanism behind bubblewrap's --die-with-parent). A WASI guest stuck
// in a loop blocks the sandbox process's only thread, so the process cannot notice for itself that
// the node crashed or was killed; without this it would spin on, re-parented, until the machine
// restarts.
import { dlopen, FFIType } from "bun:ffi";

const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;
/** glibc, then musl's names (Alpine and other musl systems). */
const LIBC = ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"];

/**
 * Tie this process's life to `parentPid`'s. True when the kernel will end it with the parent; false
 * where it cannot (not Linux, no libc found). If the parent is already gone, this process ends now.
 */
export function dieWithParent(parentPid: number): boolean {
  if (process.platform !== "linux") return false;
  for (const name of LIBC) {
    let libc: ReturnType<typeof openLibc>;
    try {
      libc = openLibc(name);
    } catch {
      continue;
    }
    const set = libc.symbols.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) === 0;
    libc.close();
    // The parent may have died before the call: then this process was re-parented already.
    if (set && process.ppid !== parentPid) process.kill(process.pid, "SIGKILL");
    return set;
  }
  return false;
}

function openLibc(name: string) {
  return dlopen(name, { prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 } });
}
