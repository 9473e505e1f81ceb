/**
 * Text no store can hold: U+0000 (PostgreSQL text refuses it) and unpaired UTF-16 surrogates
 * (JSON may escape them, "\ud800", but they have no UTF-8 form, so hashing, storing or
 * printing them fails). The HTTP layer refuses them at the edge for every route (json-guard.ts),
 * so no context has to think of it and a hostile string becomes a 400 naming the field instead
 * of a 500 deep in a query; parsers of what that guard never sees (OAuth forms, proofs) use it too.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What the refusal of such text says after the field's name. */
export const UNSTORABLE_TEXT = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/** True when `text` holds NUL or an unpaired surrogate. */
export const isUnstorableText = (text: string): boolean => UNSTORABLE.test(text);
