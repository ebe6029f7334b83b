// Iterative Kademlia look-ups, in rounds: each round asks every not-yet-asked contact among the K
// closest known to the target (all at once), merges what they return, and stops when the K
// closest have all answered or failed, or when the caller has what it wanted.
import type { Id } from "../id.ts";
import type { NodeInfo, Response } from "../v2/messages.ts";
import { type Contact, K } from "./routing-table.ts";

export interface LookupAnswer {
  contact: Contact;
  response: Response;
}

export interface LookupResult {
  /** The closest contacts that answered, nearest first, each with the write token it gave. */
  closest: { contact: Contact; token: number }[];
  /** Rounds of requests the look-up took. */
  rounds: number;
  answers: LookupAnswer[];
}

export interface LookupOptions {
  target: Id;
  seeds: Contact[];
  localId: Id;
  /** The family this look-up runs in: other-family contacts are ignored. */
  nodesOf: (r: Response) => NodeInfo[];
  ask: (c: Contact) => Promise<Response>;
  /** Stop early once this returns true. */
  enough?: (answers: LookupAnswer[]) => boolean;
  /** Admission of a contact a peer told us about (routable address, not banned). */
  accept: (c: Contact) => boolean;
  maxRounds?: number;
}

type State = "new" | "asked" | "answered" | "failed";
interface Candidate {
  contact: Contact;
  state: State;
  token: number;
}

const hex = (id: Id) => Buffer.from(id.bytes).toString("hex");

export async function iterativeLookup(o: LookupOptions): Promise<LookupResult> {
  const candidates = new Map<string, Candidate>();
  const add = (c: Contact) => {
    const k = hex(c.id);
    if (c.id.equals(o.localId) || candidates.has(k)) return;
    candidates.set(k, { contact: c, state: "new", token: 0 });
  };
  for (const s of o.seeds) add(s);
  const answers: LookupAnswer[] = [];
  const byDistance = (a: Candidate, b: Candidate) => o.target.compareDistance(a.contact.id, b.contact.id);
  let rounds = 0;
  const maxRounds = o.maxRounds ?? 32;
  while (rounds < maxRounds) {
    const live = [...candidates.values()].filter((c) => c.state !== "failed").sort(byDistance);
    const batch = live.slice(0, K).filter((c) => c.state === "new");
    if (batch.length === 0) break;
    rounds++;
    await Promise.all(
      batch.map(async (c) => {
        c.state = "asked";
        try {
          const response = await o.ask(c.contact);
          c.state = "answered";
          c.token = "token" in response ? response.token : 0;
          answers.push({ contact: c.contact, response });
          for (const n of o.nodesOf(response)) {
            const contact = { id: n.id, host: n.host, port: n.port };
            if (o.accept(contact)) add(contact);
          }
        } catch {
          c.state = "failed";
        }
      }),
    );
    if (o.enough?.(answers)) break;
    // Keep the candidate set bounded: only the 3K closest still matter.
    if (candidates.size > 3 * K) {
      const keep = new Set([...candidates.values()].sort(byDistance).slice(0, 3 * K));
      for (const [k, c] of candidates) if (!keep.has(c) && c.state !== "answered") candidates.delete(k);
    }
  }
  const closest = [...candidates.values()]
    .filter((c) => c.state === "answered")
    .sort(byDistance)
    .slice(0, K)
    .map((c) => ({ contact: c.contact, token: c.token }));
  return { closest, rounds, answers };
}
