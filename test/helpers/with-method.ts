// A real service with one method replaced: the seam for injecting a failure, a delay or a count into
// one call while every other call reaches the real object (bound to it, so private fields work).
export function withMethod<T extends object>(real: T, name: keyof T, replacement: unknown): T {
  return new Proxy(real, {
    get: (target, key) => {
      if (key === name) return replacement;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
