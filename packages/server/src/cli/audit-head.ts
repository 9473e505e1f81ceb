import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CliError } from './client.js';

/**
 * A signed head saved by `mandate audit head`, read back by `mandate audit verify --against`.
 * The purpose string and the signed bytes are the server's (audit/checkpoint.ts, HEAD_PURPOSE and
 * checkpointMessage), copied here because client verbs load no server code; the CLI round-trip
 * test signs on the server and checks here, so the copy cannot drift unnoticed.
 */
export const HEAD_PURPOSE = 'mandate.audit.head.v1';

export interface SignedHeadView {
  purpose: string;
  seq: number;
  hash: string;
  time: string;
  key_id: string;
  signature: string;
}

export interface PublicKeyView {
  kid: string;
  kty: string;
  crv: string;
  x: string;
}

/** Reads and checks the shape of a saved head; anything else is a CliError naming the file and the field. */
export function readSignedHead(file: string): SignedHeadView {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`--against ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`--against ${file}: not JSON; save the output of 'mandate audit head' (GET /v1/audit/head)`);
  }
  const head = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (head.purpose !== HEAD_PURPOSE) problems.push(`purpose must be '${HEAD_PURPOSE}'`);
  if (!Number.isSafeInteger(head.seq) || (head.seq as number) < 0) problems.push('seq must be a non-negative integer');
  if (typeof head.hash !== 'string' || !/^[0-9a-f]{64}$/.test(head.hash)) problems.push('hash must be 64 lowercase hex characters');
  for (const field of ['time', 'key_id', 'signature'] as const) if (typeof head[field] !== 'string' || head[field] === '') problems.push(`${field} must be a non-empty string`);
  if (problems.length > 0) throw new CliError(`--against ${file}: not a signed head: ${problems.join('; ')}`);
  return head as unknown as SignedHeadView;
}

/**
 * The bytes the server signed: RFC 8785 canonical JSON of {purpose, seq, hash, time}. With these
 * four keys (written here in sorted order), a string and an integer, JSON.stringify is canonical.
 */
function headMessage(head: SignedHeadView): Buffer {
  return Buffer.from(JSON.stringify({ hash: head.hash, purpose: head.purpose, seq: head.seq, time: head.time }), 'utf8');
}

/** True when the head's signature verifies with the published key it names. */
export function headSignatureValid(head: SignedHeadView, key: PublicKeyView): boolean {
  try {
    const publicKey = createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x }, format: 'jwk' });
    return verify(null, headMessage(head), publicKey, Buffer.from(head.signature, 'base64url'));
  } catch {
    return false;
  }
}
