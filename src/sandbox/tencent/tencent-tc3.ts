import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

// TC3-HMAC-SHA256, Tencent Cloud API 3.0's request signature, checked the way the API does it and as
// tencentcloud-sdk-nodejs-common 4.1 (sign.js, http_connection.js) computes it:
//   Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<UTC date>/<service>/tc3_request,
//                  SignedHeaders=content-type;host, Signature=<hex>
// over METHOD \n path \n query \n "content-type:<ct>\nhost:<hostname>\n" \n signed headers \n sha256(body),
// keyed by HMAC chain "TC3"+SecretKey -> date -> service -> "tc3_request"; X-TC-Timestamp within 5 minutes.
// The SDK names the service after the endpoint up to its first dot ("sms" for sms.tencentcloudapi.com; "127"
// for 127.0.0.1:3010/tencent), so the sandbox takes the service from the credential scope and checks it is
// the one the Host and path imply.

export interface Tc3Request {
  method: string;
  /** Path and query as sent, e.g. `/tencent/`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Tc3Keys {
  secretId: string;
  secretKey: string;
}

/** Null when the request is signed with these keys, else Tencent's error code and message. */
export function tc3Problem(
  req: Tc3Request,
  keys: Tc3Keys,
  nowMs: number,
): { code: string; message: string } | null {
  const auth =
    /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([^,\s]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      header(req.headers, 'authorization') ?? '',
    );
  if (!auth)
    return {
      code: 'AuthFailure.InvalidAuthorization',
      message: 'Authorization is not a TC3-HMAC-SHA256 header',
    };
  const [, secretId, date, service, signedHeaders, signature] = auth;
  if (secretId !== keys.secretId)
    return { code: 'AuthFailure.SecretIdNotFound', message: 'SecretId not found' };
  const timestamp = Number(header(req.headers, 'x-tc-timestamp'));
  if (!Number.isInteger(timestamp) || Math.abs(nowMs / 1000 - timestamp) > 300)
    return { code: 'AuthFailure.SignatureExpire', message: 'X-TC-Timestamp is more than 5 minutes off' };
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date)
    return {
      code: 'AuthFailure.SignatureFailure',
      message: 'credential date is not the timestamp’s UTC date',
    };
  const hostHeader = header(req.headers, 'host') ?? '';
  const host = hostname(hostHeader);
  if (service !== 'sms' && service !== sdkService(hostHeader, req.url))
    return { code: 'AuthFailure.SignatureFailure', message: `service ${service} does not match the host` };
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('content-type'))
    return { code: 'AuthFailure.SignatureFailure', message: 'content-type and host must be signed' };
  const canonicalHeaders = names
    .map((n) => `${n}:${n === 'host' ? host : (header(req.headers, n) ?? '').trim()}\n`)
    .join('');
  const expected = tc3Signature(req, canonicalHeaders, signedHeaders, { timestamp, date, service }, keys);
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { code: 'AuthFailure.SignatureFailure', message: 'the request signature does not match' };
  return null;
}

/**
 * The body bytes the SDK signed, from the parsed JSON: it serialises with json-bigint, which escapes a few
 * invisible code points JSON.stringify leaves as they are (json2's `escapable` set).
 */
export function sdkJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\x7f-\x9f\u00ad\u0600-\u0604\u070f\u17b4\u17b5\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufff0-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function tc3Signature(
  req: Tc3Request,
  canonicalHeaders: string,
  signedHeaders: string,
  scope: { timestamp: number; date: string; service: string },
  keys: Tc3Keys,
): Buffer {
  const q = req.url.indexOf('?');
  const canonical = [
    req.method.toUpperCase(),
    q < 0 ? req.url : req.url.slice(0, q),
    q < 0 ? '' : req.url.slice(q + 1),
    canonicalHeaders,
    signedHeaders,
    sha256(req.body),
  ].join('\n');
  const { timestamp, date, service } = scope;
  const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/${service}/tc3_request\n${sha256(canonical)}`;
  const kSigning = hmac(hmac(hmac(`TC3${keys.secretKey}`, date), service), 'tc3_request');
  return createHmac('sha256', kSigning).update(stringToSign).digest();
}

/**
 * The service the SDK puts in the scope: the endpoint (host, port and any path, as configured) up to its
 * first dot. `127.0.0.1:3010/tencent` gives `127`; `alertline-sandbox:3010/tencent` all of it.
 */
function sdkService(hostHeader: string, url: string): string {
  const path = url.split('?')[0].replace(/\/$/, '');
  return `${hostHeader}${path}`.split('.')[0];
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The Host header without its port, as the SDK signs it (URL.hostname). */
function hostname(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function hmac(key: string | Buffer, message: string): Buffer {
  return createHmac('sha256', key).update(message).digest();
}
