// Caps what a guest may write into its in-memory file system, checked on every write inside the
// sandbox: bytes written to files anywhere (not only /output: "/" is reachable too), growth through
// fd_allocate and fd_filestat_set_size, and how many files and folders it creates. Over a cap the
// run ends at once with a clear error, before the memory is spent.

type Fn = (...args: any[]) => any;
type Wasi = Record<string, Fn>;

const OFLAGS_CREAT = 1;

export class WriteBudgetExceeded extends Error {}

export class WriteBudget {
  private bytes = 0;
  private readonly created = new Set<string>();

  constructor(
    private readonly maxBytes: number,
    private readonly maxEntries: number,
    private readonly memory: () => WebAssembly.Memory,
  ) {}

  /** Bytes the guest has written to files so far (what its file system may hold at most). */
  written(): number {
    return this.bytes;
  }

  private charge(n: number): void {
    if (this.bytes + n > this.maxBytes) throw new WriteBudgetExceeded(`The app wrote more than ${this.maxBytes} bytes of files (its files live in memory)`);
    this.bytes += n;
  }

  private iovecBytes(iovs: number, count: number): number {
    const view = new DataView(this.memory().buffer);
    let total = 0;
    for (let i = 0; i < count; i++) total += view.getUint32(iovs + i * 8 + 4, true);
    return total;
  }

  private pathKey(dirFd: number, ptr: number, len: number): string {
    return `${dirFd}:${new TextDecoder().decode(new Uint8Array(this.memory().buffer, ptr, len))}`;
  }

  /**
   * A call that grows the file system, charged `n` bytes before it runs (over the cap it never runs);
   * a call that fails (an errno: refused, read-only, bad fd) wrote nothing and is given back.
   */
  private charged(n: number, call: () => number): number {
    this.charge(n);
    const errno = call();
    if (errno !== 0) this.bytes -= n;
    return errno;
  }

  /** A call that makes the entry `key`, counted before it runs; one that fails made nothing and is not counted. */
  private creating(key: string, call: () => number): number {
    if (this.created.has(key)) return call(); // reopened: nothing new
    if (this.created.size >= this.maxEntries) throw new WriteBudgetExceeded(`The app created more than ${this.maxEntries} files and folders`);
    this.created.add(key);
    const errno = call();
    if (errno !== 0) this.created.delete(key);
    return errno;
  }

  /** The WASI imports with every file-growing call charged first. fds 1 and 2 (stdout, stderr) are capped by the node. */
  wrap(wasi: Wasi): Wasi {
    const g = { ...wasi };
    g.fd_write = (fd: number, iovs: number, count: number, written: number) =>
      fd > 2 ? this.charged(this.iovecBytes(iovs, count), () => wasi.fd_write!(fd, iovs, count, written)) : wasi.fd_write!(fd, iovs, count, written);
    g.fd_pwrite = (fd: number, iovs: number, count: number, offset: bigint, written: number) => this.charged(this.iovecBytes(iovs, count), () => wasi.fd_pwrite!(fd, iovs, count, offset, written));
    g.fd_allocate = (fd: number, offset: bigint, len: bigint) => this.charged(Number(offset) + Number(len), () => wasi.fd_allocate!(fd, offset, len));
    g.fd_filestat_set_size = (fd: number, size: bigint) => this.charged(Number(size), () => wasi.fd_filestat_set_size!(fd, size));
    g.path_open = (dirFd: number, dirflags: number, ptr: number, len: number, oflags: number, ...rest: unknown[]) => {
      const open = () => wasi.path_open!(dirFd, dirflags, ptr, len, oflags, ...rest);
      return oflags & OFLAGS_CREAT ? this.creating(this.pathKey(dirFd, ptr, len), open) : open();
    };
    g.path_create_directory = (dirFd: number, ptr: number, len: number) => this.creating(this.pathKey(dirFd, ptr, len), () => wasi.path_create_directory!(dirFd, ptr, len));
    return g;
  }
}
