// Makes a guest directory read-only: wasmer's MemFS has no read-only mounts, and besides the
// preopens it gives the guest "/" (so /input is reachable from there too). Every WASI call that
// could change a file is checked against the absolute path it resolves to, and refused with ROFS.

const ROFS = 69;
const NOTSUP = 58;
const BADF = 8;
const OFLAGS_WRITE = 1 | 4 | 8; // CREAT | EXCL | TRUNC
const OFLAGS_DIRECTORY = 2;
// FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE | FD_FILESTAT_SET_TIMES
const RIGHTS_WRITE = (1n << 6n) | (1n << 8n) | (1n << 22n) | (1n << 23n);

type Fn = (...args: any[]) => any;
type Wasi = Record<string, Fn>;

function normalize(path: string): string {
  const parts: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return "/" + parts.join("/");
}

export class ReadonlyGuard {
  /** Open fds → the absolute guest path they stand for. */
  private readonly paths = new Map<number, string>();
  private memory: WebAssembly.Memory | null = null;

  constructor(private readonly readonlyRoot: string) {}

  private protects(path: string): boolean {
    return path === this.readonlyRoot || path.startsWith(this.readonlyRoot + "/");
  }

  private str(ptr: number, len: number): string {
    return new TextDecoder().decode(new Uint8Array(this.memory!.buffer, ptr, len));
  }

  private resolve(dirFd: number, ptr: number, len: number): string | null {
    const dir = this.paths.get(dirFd);
    return dir === undefined ? null : normalize(`${dir}/${this.str(ptr, len)}`);
  }

  /** Learn the preopened directories (the guest has not run yet; the scratch bytes are restored). */
  attach(memory: WebAssembly.Memory, wasi: Wasi): void {
    this.memory = memory;
    const view = new Uint8Array(memory.buffer);
    const saved = view.slice(0, 4096);
    try {
      for (let fd = 3; fd < 64; fd++) {
        if (wasi.fd_prestat_get!(fd, 0) !== 0) break;
        const len = new DataView(memory.buffer).getUint32(4, true);
        if (len > 4000 || wasi.fd_prestat_dir_name!(fd, 8, len) !== 0) continue;
        this.paths.set(fd, normalize(this.str(8, len)));
      }
    } finally {
      new Uint8Array(memory.buffer).set(saved, 0);
    }
  }

  /** The WASI imports with every mutating call checked. */
  wrap(wasi: Wasi): Wasi {
    const g = { ...wasi };
    const refuseAt = (name: string, pathArgs: [fdIdx: number, ptrIdx: number][]) => {
      const original = wasi[name]!;
      g[name] = (...a: number[]) => {
        for (const [fdIdx, ptrIdx] of pathArgs) {
          const target = this.resolve(a[fdIdx]!, a[ptrIdx]!, a[ptrIdx + 1]!);
          if (target === null) return BADF;
          if (this.protects(target)) return ROFS;
        }
        return original(...a);
      };
    };
    refuseAt("path_create_directory", [[0, 1]]);
    refuseAt("path_remove_directory", [[0, 1]]);
    refuseAt("path_unlink_file", [[0, 1]]);
    refuseAt("path_filestat_set_times", [[0, 2]]);
    refuseAt("path_rename", [
      [0, 1],
      [3, 4],
    ]);
    refuseAt("path_link", [
      [0, 2],
      [4, 5],
    ]);
    g.path_symlink = () => NOTSUP;

    const refuseFd = (name: string) => {
      const original = wasi[name]!;
      g[name] = (fd: number, ...rest: number[]) => (this.protects(this.paths.get(fd) ?? "") ? ROFS : original(fd, ...rest));
    };
    for (const name of ["fd_write", "fd_pwrite", "fd_allocate", "fd_filestat_set_size", "fd_filestat_set_times"]) refuseFd(name);

    g.path_open = (dirFd: number, dirflags: number, ptr: number, len: number, oflags: number, base: bigint, inheriting: bigint, fdflags: number, out: number) => {
      const target = this.resolve(dirFd, ptr, len);
      if (target === null) return BADF;
      // A directory fd may carry write rights to pass on; what is done through it is checked above.
      const writes = (oflags & OFLAGS_WRITE) !== 0 || ((oflags & OFLAGS_DIRECTORY) === 0 && (BigInt(base) & RIGHTS_WRITE) !== 0n);
      if (this.protects(target) && writes) return ROFS;
      const err = wasi.path_open!(dirFd, dirflags, ptr, len, oflags, base, inheriting, fdflags, out);
      if (err === 0) this.paths.set(new DataView(this.memory!.buffer).getUint32(out, true), target);
      return err;
    };
    g.fd_close = (fd: number) => {
      const err = wasi.fd_close!(fd);
      if (err === 0) this.paths.delete(fd);
      return err;
    };
    g.fd_renumber = (from: number, to: number) => {
      const err = wasi.fd_renumber!(from, to);
      if (err === 0) {
        const path = this.paths.get(from);
        this.paths.delete(from);
        if (path === undefined) this.paths.delete(to);
        else this.paths.set(to, path);
      }
      return err;
    };
    return g;
  }
}
