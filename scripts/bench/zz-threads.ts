import { readdirSync, readFileSync, openSync, writeSync } from "node:fs";
import { FsyncPool } from "../../server/fs/fsync-pool.ts";
function tasks() { return readdirSync("/proc/self/task").map((t) => { try { return readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim(); } catch { return "?"; } }); }
console.log("start", tasks().length, tasks().join(","));
const p = new FsyncPool(3, 200);
const fds = Array.from({ length: 20 }, (_, i) => { const fd = openSync(`/tmp/zzt${i}`, "w"); writeSync(fd, "x"); return fd; });
await Promise.all(fds.map((fd) => p.sync(fd)));
await Promise.all(fds.map((fd) => p.sync(fd)));
console.log("running", p.running(), tasks().length, tasks().join(","));
await Bun.sleep(400);
console.log("retired", p.running(), tasks().length, tasks().join(","));
await Bun.sleep(400);
console.log("later", p.running(), tasks().length, tasks().join(","));
await Promise.all(fds.map((fd) => p.sync(fd)));
console.log("again", p.running(), tasks().length);
p.stop();
await Bun.sleep(200);
console.log("stopped", p.running(), tasks().length);
