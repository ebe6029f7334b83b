// Messages between the node and a backup sealing worker: seal bytes to an age recipient, or open
// sealed bytes with an age identity. Bytes travel as transferred buffers (never copied).
export type SealRequest = { id: number; op: "seal"; recipient: string; bytes: Uint8Array } | { id: number; op: "open"; identity: string; bytes: Uint8Array };

export type SealResponse = { id: number; ok: true; bytes: Uint8Array } | { id: number; ok: false; error: string };
