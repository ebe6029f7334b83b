// Where Bun's web APIs answer differently from Deno's (and from the specifications Deno follows),
// made to answer as Deno does inside a function's process — each difference found by the corpus
// that runs the same functions under Deno (test/server/functions/deno-corpus.test.ts):
// - a Blob's or File's type is what it was given, lower-cased (Bun appends ";charset=utf-8" to
//   text and JSON types) — made here, sliced, or parsed from a form — and a Response made from a
//   Blob is labelled with that type;
// - Response.json is "application/json" (Bun adds a charset), a string body "text/plain;charset=UTF-8";
// - crypto.getRandomValues refuses more than 65,536 bytes with QuotaExceededError.

/** Install the fixes on this process's globals; returns the platform's own Response. */
export function installDenoCompat(): typeof Response {
  const PlatformResponse = Response;
  const NativeBlob = Blob;
  // Blob.prototype.type cannot be redefined in Bun: each Blob made here carries its own.
  const withType = <T extends Blob>(blob: T, type: string): T => Object.defineProperty(blob, "type", { value: type, enumerable: true });
  const specType = (t: unknown) => (typeof t === "string" && /^[\x20-\x7E]*$/.test(t) ? t.toLowerCase() : "");
  const recording = <T extends typeof Blob | typeof File>(ctor: T, typeArg: number) =>
    new Proxy(ctor, {
      construct(target, args, newTarget) {
        const made = Reflect.construct(target, args, newTarget) as Blob;
        const options = args[typeArg] as BlobPropertyBag | undefined;
        return options?.type === undefined ? made : withType(made, specType(options.type));
      },
    });
  globalThis.Blob = recording(NativeBlob, 1);
  globalThis.File = recording(File, 2);
  const nativeSlice = NativeBlob.prototype.slice;
  NativeBlob.prototype.slice = function slice(this: Blob, start?: number, end?: number, contentType?: string) {
    return withType(nativeSlice.call(this, start, end, contentType), specType(contentType ?? ""));
  };
  // A FormData hands out a new File object at every read (so a type set on one does not stay):
  // its reads are where the type is put right, for forms made here and forms parsed from a body.
  const formValue = (v: FormDataEntryValue | null) => (v instanceof NativeBlob ? withType(v, v.type.replace(/;charset=utf-8$/i, "")) : v);
  class DenoFormData extends FormData {
    override get(name: string) {
      return formValue(super.get(name));
    }
    override getAll(name: string) {
      return super.getAll(name).map((v) => formValue(v)!);
    }
    // @ts-expect-error bun-types and the DOM library type FormData's iterators differently
    override *entries(): FormDataIterator<[string, FormDataEntryValue]> {
      for (const [k, v] of super.entries()) yield [k, formValue(v)!];
    }
    // @ts-expect-error as above
    override *values(): FormDataIterator<FormDataEntryValue> {
      for (const [, v] of this.entries()) yield v;
    }
    override [Symbol.iterator]() {
      return this.entries();
    }
    override forEach(callback: (value: FormDataEntryValue, key: string, parent: FormData) => void, thisArg?: unknown) {
      for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this as unknown as FormData);
    }
  }
  globalThis.FormData = DenoFormData as unknown as typeof FormData;
  for (const Body of [Request, Response]) {
    const nativeFormData = Body.prototype.formData;
    Body.prototype.formData = async function formData(this: Request | Response) {
      const parsed = await nativeFormData.call(this);
      const form = new DenoFormData();
      for (const [k, v] of parsed) form.append(k, v);
      return form as unknown as FormData;
    };
  }

  class DenoResponse extends PlatformResponse {
    constructor(body?: BodyInit | null, init?: ResponseInit) {
      super(body, init);
      // A type the function gave is kept (most responses give none: no Headers to build then).
      if (init?.headers !== undefined && new Headers(init.headers).has("content-type")) return;
      if (typeof body === "string") this.headers.set("content-type", "text/plain;charset=UTF-8");
      else if (body instanceof NativeBlob) {
        if (body.type) this.headers.set("content-type", body.type);
        else this.headers.delete("content-type");
      }
    }
    static override json(data: unknown, init?: ResponseInit): Response {
      const headers = new Headers(init?.headers);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
      return new PlatformResponse(JSON.stringify(data), { ...init, headers });
    }
    static override redirect(url: string | URL, status?: number): Response {
      return PlatformResponse.redirect(String(url), status);
    }
    static override error(): Response {
      return PlatformResponse.error();
    }
  }
  globalThis.Response = DenoResponse;

  const nativeRandom = crypto.getRandomValues.bind(crypto);
  const MAX_RANDOM = 65536;
  crypto.getRandomValues = <T extends ArrayBufferView | null>(array: T): T => {
    if (array && array.byteLength > MAX_RANDOM)
      throw new DOMException(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (${MAX_RANDOM})`, "QuotaExceededError");
    return nativeRandom(array as Parameters<typeof nativeRandom>[0]) as T;
  };
  return PlatformResponse;
}
