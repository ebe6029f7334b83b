// A backup sealing worker: age encryption and decryption of backup pieces (ChaCha20-Poly1305 in
// JavaScript, ~55 MiB/s a core) off the node's main thread, so a backup never stalls requests
// while the main thread reads, hashes and stores the pieces around it.
import { Decrypter, Encrypter } from "age-encryption";
import type { SealRequest, SealResponse } from "./backup-seal-protocol.ts";

declare const self: Worker;

/** Bytes handled since the last collection. */
let since = 0;

self.onmessage = async (e: MessageEvent<SealRequest>) => {
  const req = e.data;
  try {
    let bytes: Uint8Array;
    if (req.op === "seal") {
      const enc = new Encrypter();
      enc.addRecipient(req.recipient);
      bytes = await enc.encrypt(req.bytes);
    } else {
      const dec = new Decrypter();
      dec.addIdentity(req.identity);
      bytes = await dec.decrypt(req.bytes);
    }
    const answer: SealResponse = { id: req.id, ok: true, bytes };
    self.postMessage(answer, [bytes.buffer as ArrayBuffer]);
    // Every megabyte handled leaves megabytes of garbage in this heap: collect every 8 MiB, or it
    // grows far past its work (small pieces are not worth a collection each).
    since += req.bytes.length;
    if (since >= 4 * 1024 * 1024) {
      since = 0;
      Bun.gc(true);
    }
  } catch (err) {
    const answer: SealResponse = { id: req.id, ok: false, error: (err as Error).message };
    self.postMessage(answer);
  }
};
