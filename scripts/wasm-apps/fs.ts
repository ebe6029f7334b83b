// Shared by the sample apps: files through raw WASI calls (the WASI shim covers stdio, args and env only).
// PC2 mounts the caller's input files flat under /input (read-only) and saves whatever lands in /output.
import {
  errno,
  fd_close,
  fd_prestat_dir_name,
  fd_prestat_get,
  fd_read,
  fd_readdir,
  fd_write,
  filetype,
  oflags,
  path_open,
  prestat,
  rights,
} from "bindings/wasi_snapshot_preview1";

const READ_RIGHTS: u64 = rights.FD_READ | rights.FD_SEEK | rights.FD_TELL | rights.FD_FILESTAT_GET | rights.FD_READDIR;
const WRITE_RIGHTS: u64 = rights.FD_WRITE | rights.FD_SEEK | rights.FD_TELL | rights.FD_FILESTAT_GET | rights.FD_FILESTAT_SET_SIZE;
const scratch = new ArrayBuffer(64);
const at = changetype<usize>(scratch);

/** The fd of the preopened directory named `name` (e.g. "/input"), or -1 when it is not mounted. */
export function preopen(name: string): i32 {
  for (let fd: u32 = 3; fd < 64; fd++) {
    if (fd_prestat_get(fd, changetype<prestat>(at)) != errno.SUCCESS) return -1;
    const len = load<u32>(at, 4);
    const buf = new ArrayBuffer(len);
    if (fd_prestat_dir_name(fd, changetype<usize>(buf), len) != errno.SUCCESS) continue;
    const found = String.UTF8.decode(buf);
    if (found == name || found == name.substring(1)) return fd;
  }
  return -1;
}

/** Names of the regular files in the directory `dirFd`, sorted. */
export function listFiles(dirFd: i32): string[] {
  const names: string[] = [];
  const buf = new ArrayBuffer(16384);
  const base = changetype<usize>(buf);
  let cookie: u64 = 0;
  while (true) {
    if (fd_readdir(dirFd, base, buf.byteLength, cookie, at) != errno.SUCCESS) break;
    const used = load<u32>(at);
    let off: usize = 0;
    let progressed = false;
    while (off + 24 <= used) {
      const namlen = load<u32>(base + off, 16);
      const type = load<u8>(base + off, 20);
      if (off + 24 + namlen > used) break; // entry cut off: read again from its cookie
      cookie = load<u64>(base + off);
      progressed = true;
      const name = String.UTF8.decode(buf.slice(i32(off + 24), i32(off + 24 + namlen)));
      if (type == filetype.REGULAR_FILE) names.push(name);
      off += 24 + namlen;
    }
    if (used < u32(buf.byteLength) || !progressed) break;
  }
  names.sort();
  return names;
}

function open(dirFd: i32, name: string, flags: u16, base: u64): i32 {
  const path = String.UTF8.encode(name);
  const err = path_open(dirFd, 0, changetype<usize>(path), path.byteLength, flags, base, base, 0, at);
  if (err != errno.SUCCESS) throw new Error(`cannot open ${name} (WASI errno ${err})`);
  return load<i32>(at);
}

/** All bytes of the file `name` in `dirFd`. */
export function readFile(dirFd: i32, name: string): Uint8Array {
  const fd = open(dirFd, name, 0, READ_RIGHTS);
  let out = new Uint8Array(0);
  const chunk = new Uint8Array(65536);
  while (true) {
    store<usize>(at, chunk.dataStart, 8);
    store<usize>(at, chunk.length, 12);
    if (fd_read(fd, at + 8, 1, at) != errno.SUCCESS) break;
    const n = load<u32>(at);
    if (n == 0) break;
    const next = new Uint8Array(out.length + n);
    next.set(out);
    next.set(chunk.subarray(0, n), out.length);
    out = next;
  }
  fd_close(fd);
  return out;
}

/** Create or replace the file `name` in `dirFd` with `data`. */
export function writeFile(dirFd: i32, name: string, data: Uint8Array): void {
  const fd = open(dirFd, name, oflags.CREAT | oflags.TRUNC, WRITE_RIGHTS);
  let done = 0;
  while (done < data.length) {
    store<usize>(at, data.dataStart + done, 8);
    store<usize>(at, data.length - done, 12);
    if (fd_write(fd, at + 8, 1, at) != errno.SUCCESS) throw new Error(`cannot write ${name}`);
    done += load<u32>(at);
  }
  fd_close(fd);
}
