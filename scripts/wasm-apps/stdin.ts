// Shared by the sample apps: all of stdin as bytes (the WASI shim reads into a buffer we provide).
export function readStdin(): Uint8Array {
  let out = new Uint8Array(0);
  const chunk = new ArrayBuffer(65536);
  let n = process.stdin.read(chunk);
  while (n > 0) {
    const next = new Uint8Array(out.length + n);
    next.set(out);
    next.set(Uint8Array.wrap(chunk, 0, n), out.length);
    out = next;
    n = process.stdin.read(chunk);
  }
  return out;
}
