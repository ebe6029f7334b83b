// Where a worker's module is: beside the source tree when run from source, or inside the compiled
// binary, where every workers/*.worker.ts is an extra entry point resolved from the embedded root.
import { COMPILED } from "./build-constants.ts";

export function workerUrl(file: string): string | URL {
  return COMPILED ? `./workers/${file}` : new URL(`../workers/${file}`, import.meta.url);
}
