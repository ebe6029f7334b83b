// The desktop's built files, from dist/web on disk (source runs) or embedded in the binary.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export interface Asset {
  file: Blob;
  /** The same bytes gzipped at build time, when the build made a copy. */
  gzip: Blob | null;
  /** Content-hashed file names never change, so browsers may cache them for good. */
  immutable: boolean;
}

export interface AssetStore {
  readonly source: string;
  get(urlPath: string): Asset | null;
  size(): number;
}

const HASHED = /-[a-z0-9]{8,}\.[a-z0-9]+(?:\.gz)?$/;

/** A fixed map from URL path to file: client input only ever selects a key, never builds a path. */
function storeFrom(source: string, files: Map<string, string>): AssetStore {
  return {
    source,
    get(urlPath) {
      const key = urlPath === "/" ? "/index.html" : urlPath;
      const path = files.get(key);
      const gz = files.get(`${key}.gz`);
      return path ? { file: Bun.file(path), gzip: gz ? Bun.file(gz) : null, immutable: HASHED.test(key) } : null;
    },
    size: () => files.size,
  };
}

export function diskAssetStore(dir: string): AssetStore {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set("/" + relative(dir, full).split("\\").join("/"), full);
    }
  };
  if (existsSync(dir)) walk(dir);
  return storeFrom(dir, files);
}

/** `paths` maps each URL path to the /$bunfs/… path of a file embedded with { type: "file" }. */
export function embeddedAssetStore(paths: Record<string, string>): AssetStore {
  return storeFrom("embedded", new Map(Object.entries(paths)));
}
