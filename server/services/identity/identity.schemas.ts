// Input schema of confirming the recovery phrase.
import { t } from "elysia";
import type { Static } from "../../http/schema.ts";

export const ConfirmPhraseBody = t.Object({
  answers: t.Array(t.Object({ index: t.Integer({ minimum: 1, maximum: 24 }), word: t.String({ minLength: 1, maxLength: 32 }) }), { minItems: 3, maxItems: 24 }),
});
export type ConfirmPhraseBody = Static<typeof ConfirmPhraseBody>;
