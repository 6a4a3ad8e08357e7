import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

// Aliyun's V3 request signature (ACS3-HMAC-SHA256), as @alicloud/openapi-core 1.x computes it in
// OpenApiUtil.getAuthorization: the SDK's default for every RPC call, dysmsapi's SendSms and
// QuerySendDetails included. The parameters travel in the query string, the body is empty.

export interface SignedRequest {
  method: string;
  /** The request path, "/" for dysmsapi. */
  path: string;
  /** Decoded query parameters in any order (a repeated name is refused before this). */
  query: ReadonlyArray<readonly [string, string]>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type SignatureCheck =
  | { ok: true; accessKeyId: string; nonce: string; date: number }
  | { ok: false; status: number; code: string; message: string };

const AUTH = /^ACS3-HMAC-SHA256 Credential=([^,\s]+),SignedHeaders=([a-z0-9;-]+),Signature=([0-9a-f]{64})$/;
const REQUIRED = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
];
// Aliyun refuses a request whose x-acs-date is more than 15 minutes off.
export const MAX_DATE_SKEW_MS = 15 * 60_000;

/** The SDK's percent-encoding (encodeURIComponent plus ! ' ( ) *). */
export function acsEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim();
}

/** The canonical request and string to sign, exactly as the SDK builds them. */
export function acs3StringToSign(
  req: SignedRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  const query = [...req.query]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${acsEncode(v)}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${header(req.headers, h)}\n`).join('');
  const canonical = [
    req.method,
    req.path,
    query,
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  return `ACS3-HMAC-SHA256\n${sha256(canonical)}`;
}

export function acs3Signature(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

/** Checks a request's Authorization against the account's AccessKey secret, the body hash and the date. */
export function verifyAcs3(
  req: SignedRequest,
  account: { accessKeyId: string; accessKeySecret: string },
  now: number,
): SignatureCheck {
  const m = AUTH.exec(header(req.headers, 'authorization'));
  if (!m)
    return refuse(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
  const [, credential, signed, signature] = m;
  if (credential !== account.accessKeyId)
    return refuse(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const signedHeaders = signed.split(';');
  const missing = REQUIRED.filter((h) => !signedHeaders.includes(h) || !header(req.headers, h));
  if (missing.length)
    return refuse(400, 'IncompleteSignature', `Headers not signed or empty: ${missing.join(', ')}.`);
  const payloadHash = header(req.headers, 'x-acs-content-sha256');
  if (payloadHash !== sha256(req.body))
    return refuse(400, 'IncompleteSignature', 'x-acs-content-sha256 does not match the request body.');
  const date = Date.parse(header(req.headers, 'x-acs-date'));
  if (!Number.isFinite(date) || Math.abs(now - date) > MAX_DATE_SKEW_MS)
    return refuse(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  const expected = acs3Signature(account.accessKeySecret, acs3StringToSign(req, signedHeaders, payloadHash));
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature)))
    return refuse(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
  return { ok: true, accessKeyId: credential, nonce: header(req.headers, 'x-acs-signature-nonce'), date };
}

function refuse(status: number, code: string, message: string): SignatureCheck {
  return { ok: false, status, code, message };
}

/** Nonces seen in the last MAX_DATE_SKEW_MS: a replayed signed request is refused, as Aliyun does. */
export class NonceMemory {
  private readonly seen = new Map<string, number>();

  constructor(private readonly limit = 100_000) {}

  /** False when the nonce was already used inside the window. */
  remember(nonce: string, now: number): boolean {
    for (const [n, at] of this.seen) {
      if (now - at <= MAX_DATE_SKEW_MS && this.seen.size < this.limit) break;
      this.seen.delete(n);
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now);
    return true;
  }
}
