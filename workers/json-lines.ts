// Lines of a byte stream (the JSON-lines framing between the node and its sandbox processes),
// scanning each chunk once: a line can carry a 16 MiB module.
export async function* lines(stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let parts: string[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    let text = decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = text.indexOf("\n")) >= 0) {
      parts.push(text.slice(0, nl));
      yield parts.join("");
      parts = [];
      text = text.slice(nl + 1);
    }
    if (text) parts.push(text);
  }
}
