// BIP39 recovery phrases (12 English words): create, and check with an error that says what is wrong.
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { BadRequestError } from "../../errors.ts";

export const PHRASE_WORDS = 12;

export class InvalidPhraseError extends BadRequestError {
  constructor(message: string) {
    super(message, "invalid_recovery_phrase");
  }
}

const WORDS = new Set(wordlist);

export function newPhrase(): string {
  return generateMnemonic(wordlist, 128);
}

/** Lowercase, single spaces, NFKD: the form BIP39 hashes. */
export function normalizePhrase(input: string): string {
  return input.normalize("NFKD").trim().toLowerCase().split(/\s+/).filter(Boolean).join(" ");
}

/** Return the normalised phrase, or throw InvalidPhraseError naming the first problem found. */
export function checkPhrase(input: string): string {
  const phrase = normalizePhrase(input);
  const words = phrase ? phrase.split(" ") : [];
  if (words.length !== PHRASE_WORDS) {
    throw new InvalidPhraseError(`A recovery phrase has ${PHRASE_WORDS} words; this one has ${words.length}`);
  }
  const unknown = words.findIndex((w) => !WORDS.has(w));
  if (unknown >= 0) {
    throw new InvalidPhraseError(`Word ${unknown + 1} ("${words[unknown]}") is not in the BIP39 English word list`);
  }
  if (!validateMnemonic(phrase, wordlist)) {
    throw new InvalidPhraseError("The checksum does not match: a word is wrong or the words are out of order");
  }
  return phrase;
}

/** BIP39 seed (64 bytes) with the empty passphrase. */
export function phraseToSeed(phrase: string): Uint8Array {
  return mnemonicToSeedSync(checkPhrase(phrase), "");
}
