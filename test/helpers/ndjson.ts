// The lines of an NDJSON response, parsed.
export async function ndjsonLines(res: Response): Promise<Record<string, unknown>[]> {
  return (await res.text())
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
