import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Vonage's signature methods as the dashboard names them (`md5hash` is the legacy "MD5 hash"). */
export const VONAGE_SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

type Params = Record<string, unknown>;

/**
 * The string Vonage signs: every parameter but `sig`, keys sorted, each as `&key=value` with `&` and `=` in
 * values replaced by `_` (the same as @vonage/sms's `verifySignature`). Missing values are left out.
 */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function vonageSignatureBase(params: Params): string {
  let base = '';
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (key === 'sig' || value === undefined || value === null) continue;
    base += `&${key}=${asText(value).replace(/[&=]/g, '_')}`;
  }
  return base;
}

/** Lower-case hex: HMAC of the base string keyed with the secret, or for `md5hash` MD5 of base + secret. */
export function signVonageParams(params: Params, secret: string, method: VonageSignatureMethod): string {
  const base = vonageSignatureBase(params);
  if (method === 'md5hash')
    return createHash('md5')
      .update(base + secret, 'utf8')
      .digest('hex');
  return createHmac(method, secret).update(base, 'utf8').digest('hex');
}

/**
 * Checks `params.sig` in constant time. Hex case is ignored (Vonage has sent both). A receiver should also
 * reject a `timestamp` far from its clock (replay); that policy belongs to the caller.
 */
export function verifyVonageSignature(
  params: Params,
  secret: string,
  method: VonageSignatureMethod,
): boolean {
  const sig = params.sig;
  if (typeof sig !== 'string' || !/^[0-9a-fA-F]+$/.test(sig)) return false;
  const expected = Buffer.from(signVonageParams(params, secret, method), 'utf8');
  const given = Buffer.from(sig.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
