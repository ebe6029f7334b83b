// Writes a tiny but real llama-architecture GGUF model (F32, ~470 KB) for tests and benchmarks:
// `bun scripts/make-tiny-gguf.ts [out.gguf]`. Its weights make the output deterministic: after a
// letter it emits the next one, after "z" a ".", after "." the end of text, after anything else
// "a". So a chat reply is "abcdefghijklmnopqrstuvwxyz." and a completion of "hello" is
// "pqrstuvwxyz.". Every layer still runs real attention and feed-forward maths in llama.cpp.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const ALIGNMENT = 32;
const enum Kind {
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  Str = 8,
  Array = 9,
  U64 = 10,
}
type Scalar = { kind: Kind.U32 | Kind.I32 | Kind.F32 | Kind.U64; value: number } | { kind: Kind.Bool; value: boolean } | { kind: Kind.Str; value: string };
type Value = Scalar | { kind: Kind.Array; of: Kind.Str; value: string[] } | { kind: Kind.Array; of: Kind.F32 | Kind.I32; value: number[] };

interface Tensor {
  name: string;
  /** ggml order: the fastest-moving dimension first. */
  shape: number[];
  data: Float32Array;
}

/** Little-endian byte sink. */
class Bytes {
  private parts: Uint8Array[] = [];
  length = 0;
  private put(size: number, write: (v: DataView) => void): void {
    const b = new Uint8Array(size);
    write(new DataView(b.buffer));
    this.raw(b);
  }
  raw(b: Uint8Array): void {
    this.parts.push(b);
    this.length += b.length;
  }
  u32 = (n: number) => this.put(4, (v) => v.setUint32(0, n, true));
  i32 = (n: number) => this.put(4, (v) => v.setInt32(0, n, true));
  f32 = (n: number) => this.put(4, (v) => v.setFloat32(0, n, true));
  u64 = (n: number) => this.put(8, (v) => v.setBigUint64(0, BigInt(n), true));
  str(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.raw(b);
  }
  align(): void {
    const gap = (ALIGNMENT - (this.length % ALIGNMENT)) % ALIGNMENT;
    if (gap) this.raw(new Uint8Array(gap));
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) out.set(p, at), (at += p.length);
    return out;
  }
}

function scalar(out: Bytes, kind: Kind, value: unknown): void {
  if (kind === Kind.U32) out.u32(value as number);
  else if (kind === Kind.I32) out.i32(value as number);
  else if (kind === Kind.F32) out.f32(value as number);
  else if (kind === Kind.U64) out.u64(value as number);
  else if (kind === Kind.Bool) out.raw(Uint8Array.of(value ? 1 : 0));
  else if (kind === Kind.Str) out.str(value as string);
}

/** GGUF v3: header, metadata, tensor infos, then the aligned tensor data. */
export function encodeGguf(metadata: [string, Value][], tensors: Tensor[]): Uint8Array {
  const out = new Bytes();
  out.raw(new TextEncoder().encode("GGUF"));
  out.u32(3);
  out.u64(tensors.length);
  out.u64(metadata.length);
  for (const [key, v] of metadata) {
    out.str(key);
    out.u32(v.kind);
    if (v.kind === Kind.Array) {
      out.u32(v.of);
      out.u64(v.value.length);
      for (const item of v.value) scalar(out, v.of, item);
    } else scalar(out, v.kind, v.value);
  }
  let offset = 0;
  for (const t of tensors) {
    out.str(t.name);
    out.u32(t.shape.length);
    for (const d of t.shape) out.u64(d);
    out.u32(0); // GGML_TYPE_F32
    out.u64(offset);
    offset += Math.ceil(t.data.byteLength / ALIGNMENT) * ALIGNMENT;
  }
  out.align();
  for (const t of tensors) {
    out.raw(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    out.align();
  }
  return out.concat();
}

/** Seeded normal samples (xorshift32 + Box–Muller): the same file every time. */
function normal(seed: number): (std: number) => number {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 2 ** 32;
  };
  return (std) => std * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** The model's size: the default is tiny (~470 KB); benchmarks use a larger one, where compute per token is realistic. */
export interface ModelShape {
  embd: number;
  ff: number;
  layers: number;
}
export const TINY: ModelShape = { embd: 64, ff: 128, layers: 2 };

export function tinyModel(shape: ModelShape = TINY): Uint8Array {
  const { embd, ff, layers } = shape;
  const heads = 4;
  // Vocabulary: <unk>, <s>, </s>, the 256 byte tokens, and the SentencePiece space marker.
  const tokens = ["<unk>", "<s>", "</s>", ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`), "\u2581"];
  const types = [2, 3, 3, ...Array(256).fill(6), 1]; // unknown, control, control, byte…, normal
  const vocab = tokens.length;
  const EOS = 2;
  const byteToken = (c: string) => 3 + c.charCodeAt(0);
  // Each token belongs to a class: 0–25 the letters, 26 ".", 27 anything else; its embedding is one-hot.
  const classOf = (token: number) => {
    const c = token - 3;
    return c >= 0x61 && c <= 0x7a ? c - 0x61 : c === 0x2e ? 26 : 27;
  };
  const next = (k: number) => (k < 25 ? byteToken(String.fromCharCode(0x62 + k)) : k === 25 ? byteToken(".") : k === 26 ? EOS : byteToken("a"));

  const embedding = new Float32Array(embd * vocab);
  for (let t = 0; t < vocab; t++) embedding[t * embd + classOf(t)] = 1;
  const output = new Float32Array(embd * vocab);
  for (let k = 0; k < 28; k++) output[next(k) * embd + k] = 4; // a logit gap of about 32 after the norm
  const rand = normal(20261124);
  const random = (n: number, std: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = rand(std);
    return out;
  };
  const ones = (n: number) => new Float32Array(n).fill(1);

  const tensors: Tensor[] = [
    { name: "token_embd.weight", shape: [embd, vocab], data: embedding },
    { name: "output_norm.weight", shape: [embd], data: ones(embd) },
    { name: "output.weight", shape: [embd, vocab], data: output },
  ];
  for (let l = 0; l < layers; l++) {
    const b = `blk.${l}.`;
    tensors.push(
      { name: `${b}attn_norm.weight`, shape: [embd], data: ones(embd) },
      { name: `${b}attn_q.weight`, shape: [embd, embd], data: random(embd * embd, 0.02) },
      { name: `${b}attn_k.weight`, shape: [embd, embd], data: random(embd * embd, 0.02) },
      { name: `${b}attn_v.weight`, shape: [embd, embd], data: random(embd * embd, 0.02) },
      // Small output projections: the residual stream stays dominated by the embedding.
      { name: `${b}attn_output.weight`, shape: [embd, embd], data: random(embd * embd, 0.002) },
      { name: `${b}ffn_norm.weight`, shape: [embd], data: ones(embd) },
      { name: `${b}ffn_gate.weight`, shape: [embd, ff], data: random(embd * ff, 0.02) },
      { name: `${b}ffn_up.weight`, shape: [embd, ff], data: random(embd * ff, 0.02) },
      { name: `${b}ffn_down.weight`, shape: [ff, embd], data: random(ff * embd, 0.002) },
    );
  }
  const u32 = (value: number): Value => ({ kind: Kind.U32, value });
  const metadata: [string, Value][] = [
    ["general.architecture", { kind: Kind.Str, value: "llama" }],
    ["general.name", { kind: Kind.Str, value: "pc2-tiny" }],
    ["general.alignment", u32(ALIGNMENT)],
    ["general.file_type", u32(0)],
    ["llama.context_length", u32(2048)],
    ["llama.embedding_length", u32(embd)],
    ["llama.block_count", u32(layers)],
    ["llama.feed_forward_length", u32(ff)],
    ["llama.attention.head_count", u32(heads)],
    ["llama.attention.head_count_kv", u32(heads)],
    ["llama.attention.layer_norm_rms_epsilon", { kind: Kind.F32, value: 1e-5 }],
    ["llama.rope.dimension_count", u32(embd / heads)],
    ["llama.rope.freq_base", { kind: Kind.F32, value: 10000 }],
    ["llama.vocab_size", u32(vocab)],
    ["tokenizer.ggml.model", { kind: Kind.Str, value: "llama" }],
    ["tokenizer.ggml.tokens", { kind: Kind.Array, of: Kind.Str, value: tokens }],
    ["tokenizer.ggml.scores", { kind: Kind.Array, of: Kind.F32, value: tokens.map(() => 0) }],
    ["tokenizer.ggml.token_type", { kind: Kind.Array, of: Kind.I32, value: types }],
    ["tokenizer.ggml.bos_token_id", u32(1)],
    ["tokenizer.ggml.eos_token_id", u32(EOS)],
    ["tokenizer.ggml.unknown_token_id", u32(0)],
    ["tokenizer.ggml.add_bos_token", { kind: Kind.Bool, value: true }],
    ["tokenizer.ggml.add_eos_token", { kind: Kind.Bool, value: false }],
    [
      "tokenizer.chat_template",
      { kind: Kind.Str, value: "{% for m in messages %}{{ '<|' + m['role'] + '|>\n' + m['content'] + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}" },
    ],
  ];
  return encodeGguf(metadata, tensors);
}

/** Write the model to `path` (creating its folder). */
export function makeTinyGguf(path: string, shape: ModelShape = TINY): number {
  const bytes = tinyModel(shape);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return bytes.length;
}

if (import.meta.main) {
  const path = process.argv[2] ?? "dist/models/pc2-tiny.gguf";
  console.log(`wrote ${path} (${makeTinyGguf(path)} bytes)`);
}
