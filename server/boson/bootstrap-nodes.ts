// Bootstrap node lists: the known v2 bootstrap nodes (the default), and the text form config takes.
export interface BootstrapNode {
  id: string;
  host: string;
  port: number;
}

/** The v2 bootstrap nodes known from the Boson configs (Carrier, Boson.Docs, PC2's super node). */
export const DEFAULT_BOOTSTRAP =
  "HZXXs9LTfNQjrDKvvexRhuMk8TTJhYCfrHwaj3jUzuhZ@155.138.245.211:39001," +
  "6o6LkHgLyD5sYyW9iN5LNRYnUoX29jiYauQ5cDjhCpWQ@45.32.138.246:39001," +
  "8grFdb2f6LLJajHwARvXC95y73WXEanNS1rbBAZYbC5L@140.82.57.197:39001," +
  "4A6UDpARbKBJZmW5s6CmGDgeNmTxWFoGUi2Z5C4z7E41@107.191.62.45:39001," +
  "5BJ8SZZQ4z4izhw82W2ksyuTCQz3GwWUWBSaza4qzVT9@207.148.82.19:39001," +
  "8fAHSUAtKmVycxQK2VRDnhcSL1XX9ciweULt4dHx6Yfg@140.82.34.87:39001," +
  "J44cKHHjJzpJJhM4tqwZxYhv9Cynozx38xeR2WcvfFRN@139.84.232.184:39001," +
  "J1h7RHv5iHhT43zsXxMCg7zGmZq6g4Ec2VJeCkSGry2E@69.164.241.210:39001";

/** "id@host:port,…" (IPv6 hosts in brackets), or "none". */
export function parseBootstrapList(text: string): BootstrapNode[] {
  if (text.trim() === "none") return [];
  return text
    .split(",")
    .filter(Boolean)
    .map((entry) => {
      const m = /^([1-9A-HJ-NP-Za-km-z]{43,44})@(\[[0-9A-Fa-f:.]+\]|[0-9.]+):(\d{1,5})$/.exec(entry.trim());
      if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) throw new Error(`"${entry}" is not id@address:port`);
      return { id: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ""), port: Number(m[3]) };
    });
}
