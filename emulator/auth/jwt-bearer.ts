/**
 * OAuth 2.0 JWT bearer flow (RFC 7523) as Salesforce implements it: an RS256 assertion signed with the
 * connected app's certificate key, iss = client id, sub = username, aud = login URL, exp in the future.
 * Verified with node:crypto (the certificate or public key is registered via an emulator option).
 */
import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export const ACCEPTED_AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com'];

const claimsSchema = z.object({
  iss: z.string().min(1),
  sub: z.string().min(1),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number()
});

const headerSchema = z.object({ alg: z.string() });

export type JwtCheck = { ok: true; clientId: string; username: string } | { ok: false; description: string };

/** Parse a PEM certificate (X.509) or public key (SPKI) into a verification key. */
export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey(pem);
}

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/**
 * Verify an assertion against the key registered for its issuer. `extraAudiences` holds the emulator's own
 * URL (Salesforce also accepts the My Domain / Experience Cloud site URL as audience).
 */
export function verifyJwtAssertion(
  assertion: string,
  keyForClient: (clientId: string) => KeyObject | undefined,
  nowMs: number,
  extraAudiences: string[]
): JwtCheck {
  const parts = assertion.split('.');
  if (parts.length !== 3) return { ok: false, description: 'invalid assertion' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: z.infer<typeof headerSchema>;
  let claims: z.infer<typeof claimsSchema>;
  try {
    const headerParse = headerSchema.safeParse(decodeSegment(headerPart));
    const claimsParse = claimsSchema.safeParse(decodeSegment(payloadPart));
    if (!headerParse.success || !claimsParse.success) return { ok: false, description: 'invalid assertion' };
    header = headerParse.data;
    claims = claimsParse.data;
  } catch {
    return { ok: false, description: 'invalid assertion' };
  }
  if (header.alg !== 'RS256') return { ok: false, description: 'invalid assertion' };
  const key = keyForClient(claims.iss);
  if (!key) return { ok: false, description: 'invalid client identifier' };
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${headerPart}.${payloadPart}`);
  if (!verifier.verify(key, Buffer.from(signaturePart, 'base64url')))
    return { ok: false, description: 'invalid assertion' };
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const accepted = new Set([...ACCEPTED_AUDIENCES, ...extraAudiences].map((aud) => aud.replace(/\/$/, '')));
  if (!audiences.some((aud) => accepted.has(aud.replace(/\/$/, ''))))
    return { ok: false, description: 'audience is invalid' };
  // Salesforce allows a few minutes of clock skew on exp.
  if (claims.exp * 1000 + 3 * 60 * 1000 <= nowMs)
    return { ok: false, description: 'expired authorization code' };
  return { ok: true, clientId: claims.iss, username: claims.sub };
}
