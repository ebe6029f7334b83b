// One node per data directory: an exclusive pid lock file, taken over only when its process is gone.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class DataDirLock {
  private held = false;
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, "pc2.lock");
  }

  acquire(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.path, "wx", 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.held = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        // Our own pid counts too: another node object in this process holds it.
        const pid = this.holder();
        if (pid !== null) throw new DataDirLockedError(`the data directory is in use by another PC2 process (pid ${pid}); stop it first`);
        rmSync(this.path, { force: true }); // stale: its process is gone
      }
    }
    throw new DataDirLockedError(`could not lock ${this.path}`);
  }

  /** The pid of the live process holding the lock, or null when it is free. */
  holder(): number | null {
    try {
      const pid = Number(readFileSync(this.path, "utf8").trim());
      return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : null;
    } catch {
      return null;
    }
  }

  release(): void {
    if (this.held) rmSync(this.path, { force: true });
    this.held = false;
  }
}
