import http from 'node:http';
import { Pool } from 'pg';
import { DevStack } from '../../src/devstack/dev-stack';
import { startStack, stopStack } from './e2e';

// Small limits, so each is crossed with a few kilobytes; the defaults are in src/config/limit.settings.ts.
export const SMALL_LIMITS = {
  HTTP_MAX_URL_BYTES: '2048',
  HTTP_WEBHOOK_BODY_MAX_BYTES: '2048',
  HTTP_SUPPORT_BODY_MAX_BYTES: '512',
  RECONCILIATION_JSON_MAX_BYTES: '4096',
  RECONCILIATION_CSV_MAX_BYTES: '20000',
  RECONCILIATION_MAX_ROWS: '500',
  RECONCILIATION_MAX_RECORD_BYTES: '256',
  RECONCILIATION_TIMEOUT_MS: '3000',
  RECONCILIATION_STATEMENT_TIMEOUT_MS: '1000',
  SUPPORT_SEARCH_MAX_WINDOW_DAYS: '31',
};

/** A raw request, for what fetch cannot do: a body that stalls half-way, or a chosen Content-Length. */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; stallAfter?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : null });
      });
    });
    if (opts.stallAfter !== undefined) req.write(opts.stallAfter);
    else req.end(opts.body);
  });
}

/** A body sent in chunks with no Content-Length, so a limit must be enforced while reading. */
export function chunked(text: string, size = 1000): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, (at += size)));
    },
  });
}

export const DAY = 86_400_000;

/** The api role (and the sandbox) with SMALL_LIMITS for one describe block; fields are set in beforeAll. */
export function useSmallLimitsApi(): { stack: DevStack; db: Pool; base: string } {
  const t = {} as { stack: DevStack; db: Pool; base: string };
  const ctx: { stack?: DevStack; db?: Pool } = {};
  beforeAll(async () => {
    Object.assign(ctx, await startStack({ roles: ['api'], env: SMALL_LIMITS }));
    Object.assign(t, { stack: ctx.stack!, db: ctx.db!, base: ctx.stack!.apiUrl });
  });
  afterAll(() => stopStack(ctx));
  return t;
}
