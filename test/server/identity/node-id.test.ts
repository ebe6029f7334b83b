import { describe, expect, test } from "bun:test";
import { mnemonicToSeedSync } from "@scure/bip39";
import { checkPhrase, InvalidPhraseError, newPhrase, phraseToSeed } from "../../../server/services/identity/mnemonic.ts";
import { keysFromPhrase, keysFromSecret, sign, verify } from "../../../server/services/identity/node-id.ts";
import { masterKey } from "../../../server/services/identity/slip10.ts";

const ABANDON = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

describe("node identity from a phrase", () => {
  test("the BIP39 seed of the standard phrase (empty passphrase)", () => {
    expect(Buffer.from(phraseToSeed(ABANDON)).toString("hex")).toBe("5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc19a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4");
  });

  test("the SLIP-0010 master of that seed matches the independently computed Boson reference", () => {
    expect(keysFromSecret(masterKey(phraseToSeed(ABANDON)).key).nodeId).toBe("GiAiwXD6TQUqsf4pvRLtPPmVma7oGmRusLvo58SBNn1e");
  });

  test("a fixed phrase always gives the same Node ID and DID (path m/44'/2305'/0'/0'/0')", () => {
    const keys = keysFromPhrase(ABANDON);
    expect(keys.nodeId).toBe("9KpSGdLsiV8Ks2T3nD1AeCx3fh9bnUxUqFFHNUKsE49x");
    expect(keys.did).toBe("did:boson:9KpSGdLsiV8Ks2T3nD1AeCx3fh9bnUxUqFFHNUKsE49x");
    expect(Buffer.from(keys.publicKey).toString("hex")).toBe("7baf95ee5a6253a66ab16f52b539f5aad2554c64f0ee5a9557978df7d7bcf91b");
    // Case, spacing and surrounding whitespace do not change the identity.
    expect(keysFromPhrase(`  ${ABANDON.toUpperCase().replace(/ /g, "   ")}\n`).nodeId).toBe(keys.nodeId);
  });

  test("new phrases are valid 12-word BIP39 and give distinct identities", () => {
    const a = newPhrase();
    const b = newPhrase();
    expect(a.split(" ").length).toBe(12);
    expect(checkPhrase(a)).toBe(a);
    expect(mnemonicToSeedSync(a).length).toBe(64);
    expect(keysFromPhrase(a).nodeId).not.toBe(keysFromPhrase(b).nodeId);
  });

  test("Node IDs are Base58 (Bitcoin alphabet) of the 32-byte key", () => {
    const { nodeId } = keysFromPhrase(newPhrase());
    expect(nodeId).toMatch(/^[1-9A-HJ-NP-Za-km-z]{43,44}$/);
  });

  test("the key signs and verifies", () => {
    const keys = keysFromPhrase(ABANDON);
    const msg = new TextEncoder().encode("hello boson");
    const sig = sign(msg, keys.secretKey);
    expect(verify(sig, msg, keys.publicKey)).toBe(true);
    expect(verify(sig, new TextEncoder().encode("hello bosoN"), keys.publicKey)).toBe(false);
  });

  describe("bad phrases get clear errors", () => {
    const cases: [string, string, RegExp][] = [
      ["wrong checksum", ABANDON.replace(/about$/, "abandon"), /checksum/],
      ["too few words", "abandon abandon abandon", /12 words; this one has 3/],
      ["too many words", `${ABANDON} about`, /12 words; this one has 13/],
      ["24 words", Array(23).fill("abandon").concat("art").join(" "), /this one has 24/],
      ["unknown word", ABANDON.replace("abandon", "bitcoinz"), /Word 1 \("bitcoinz"\) is not in the BIP39/],
      ["empty", "   ", /this one has 0/],
    ];
    for (const [name, phrase, message] of cases) {
      test(name, () => {
        let err: unknown;
        try {
          checkPhrase(phrase);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(InvalidPhraseError);
        expect((err as InvalidPhraseError).message).toMatch(message);
        expect((err as InvalidPhraseError).code).toBe("invalid_recovery_phrase");
      });
    }
  });
});
