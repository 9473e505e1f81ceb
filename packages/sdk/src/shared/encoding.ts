import { base64url } from 'jose';

const encoder = new TextEncoder();

/** base64url(SHA-256(text)): the DPoP `ath` of an access token (RFC 9449 §4.2). */
export async function sha256Base64url(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(text));
  return base64url.encode(new Uint8Array(digest));
}

/** A random identifier for `jti` claims: 128 bits from the platform CSPRNG. */
export function randomId(): string {
  return crypto.randomUUID();
}
