import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { Pool } from 'pg';
import { DevStack } from '../src/devstack/dev-stack';
import { api, startStack, stopStack, SUPERVISOR_KEY, SUPPORT_KEY } from './support/e2e';

// Small limits, so each is crossed with a few kilobytes; the defaults are in src/config/limit.settings.ts.
const LIMITS = {
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
function rawRequest(
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
function chunked(text: string, size = 1000): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, (at += size)));
    },
  });
}

const csvOf = (ids: string[]) => `transactionId\n${ids.join('\n')}\n`;
const DAY = 86_400_000;

describe('request limits against the running api (414, 413, 408, 400; within a limit it works)', () => {
  const ctx: { stack?: DevStack; db?: Pool } = {};
  let stack: DevStack;
  let db: Pool;
  let base: string;

  beforeAll(async () => {
    Object.assign(ctx, await startStack({ roles: ['api'], env: LIMITS }));
    stack = ctx.stack!;
    db = ctx.db!;
    base = stack.apiUrl;
  });
  afterAll(() => stopStack(ctx));

  it('refuses a path and query over HTTP_MAX_URL_BYTES with 414 before authentication or audit', async () => {
    const marker = `uri-${randomUUID()}`;
    const long = await fetch(`${base}/v1/notifications?transactionId=${marker}${'x'.repeat(2100)}`);
    expect(long.status).toBe(414);
    expect(long.headers.get('connection')).toBe('close');
    expect(await long.json()).toMatchObject({
      statusCode: 414,
      message: expect.stringMatching(/^request path and query are \d+ bytes; at most 2048 are accepted$/),
    });
    const { rows } = await db.query(`SELECT 1 FROM audit_log WHERE target LIKE $1`, [`%${marker}%`]);
    expect(rows).toHaveLength(0);
    // Within the limit the request is served.
    expect((await fetch(`${base}/health/live?pad=${'x'.repeat(1900)}`)).status).toBe(200);
  });

  it('limits webhook bodies to HTTP_WEBHOOK_BODY_MAX_BYTES, declared or chunked, form or JSON', async () => {
    const form = `MessageSid=SM1&MessageStatus=delivered&Pad=${'p'.repeat(2100)}`;
    const declared = await api(stack, '/webhooks/twilio/status', '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(declared).toEqual({
      status: 413,
      body: {
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'request body over the 2048-byte limit of provider webhooks (HTTP_WEBHOOK_BODY_MAX_BYTES)',
      },
    });
    const streamed = await fetch(`${base}/webhooks/vonage/dlr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked(JSON.stringify({ messageId: 'm', status: 'delivered', pad: 'p'.repeat(3000) }), 500),
      duplex: 'half',
    });
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { message: string }).message).toContain(
      '2048-byte limit of provider webhooks',
    );
    // Within the limit the body is parsed and reaches the signature check (no signature: 403).
    const small = await api(stack, '/webhooks/twilio/status', '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'MessageSid=SM1&MessageStatus=delivered',
    });
    expect(small.status).toBe(403);
    // Malformed JSON is a clear 400, not an HTML page.
    const bad = await api(stack, '/webhooks/vonage/dlr', '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"messageId":',
    });
    expect(bad).toMatchObject({ status: 400, body: { message: 'request body is not valid JSON' } });
  });

  it('limits support API bodies to HTTP_SUPPORT_BODY_MAX_BYTES, whatever the path’s letter case', async () => {
    const id = randomUUID();
    for (const path of [`/v1/notifications/${id}/resend`, `/V1/Notifications/${id}/resend`]) {
      const res = await api(stack, path, SUPERVISOR_KEY, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pad: 'p'.repeat(600) }),
      });
      expect(res).toMatchObject({
        status: 413,
        body: {
          message: 'request body over the 512-byte limit of the support API (HTTP_SUPPORT_BODY_MAX_BYTES)',
        },
      });
    }
    // Within the limit the request goes on: no such alert.
    const ok = await api(stack, `/v1/notifications/${id}/resend`, SUPERVISOR_KEY, { method: 'POST' });
    expect(ok.status).toBe(404);
  });

  describe('reconciliation', () => {
    const from = new Date(Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 3000) * DAY);
    const window = (days = 1) =>
      `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(new Date(from.getTime() + days * DAY).toISOString())}`;
    const csv = (body: RequestInit['body'], query = window(), headers: Record<string, string> = {}) =>
      fetch(`${base}/v1/reconciliations?${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SUPERVISOR_KEY}`, 'content-type': 'text/csv', ...headers },
        body,
        duplex: 'half',
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `lim-${i}`);

    it('refuses a JSON body over RECONCILIATION_JSON_MAX_BYTES with 413; a smaller one is reconciled', async () => {
      const body = (n: number) =>
        JSON.stringify({
          from: from.toISOString(),
          to: new Date(from.getTime() + DAY).toISOString(),
          transactionIds: ids(n),
        });
      const big = await api(stack, '/v1/reconciliations', SUPERVISOR_KEY, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(600),
      });
      expect(big).toMatchObject({
        status: 413,
        body: {
          message: expect.stringContaining(
            '4096-byte limit of reconciliations (JSON) (RECONCILIATION_JSON_MAX_BYTES)',
          ),
        },
      });
      const small = await api(stack, '/v1/reconciliations', SUPERVISOR_KEY, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(100),
      });
      expect(small).toMatchObject({ status: 200, body: { listed: 100, noAlert: { count: 100 } } });
    });

    it('refuses a CSV over RECONCILIATION_CSV_MAX_BYTES, declared (before reading) or streamed', async () => {
      // 400 rows (under RECONCILIATION_MAX_ROWS) of 60-character ids: the byte limit is what stops it.
      const large = csvOf(ids(400).map((id) => id.padEnd(60, '-')));
      expect(Buffer.byteLength(large)).toBeGreaterThan(20000);
      const declared = await rawRequest(`${base}/v1/reconciliations?${window()}`, {
        headers: {
          authorization: `Bearer ${SUPERVISOR_KEY}`,
          'content-type': 'text/csv',
          'content-length': String(Buffer.byteLength(large)),
        },
        body: large,
      });
      expect(declared.status).toBe(413);
      expect(declared.headers.connection).toBe('close');
      expect(declared.body.message).toBe(
        'the CSV is over 20000 bytes (RECONCILIATION_CSV_MAX_BYTES); split the list',
      );
      const streamed = await csv(chunked(large, 4000));
      expect(streamed).toMatchObject({
        status: 413,
        body: { message: expect.stringContaining('RECONCILIATION_CSV_MAX_BYTES') },
      });
    });

    it('refuses more than RECONCILIATION_MAX_ROWS rows with 413; exactly that many are reconciled', async () => {
      const over = await csv(chunked(csvOf(ids(501))));
      expect(over).toEqual({
        status: 413,
        body: {
          statusCode: 413,
          error: 'Payload Too Large',
          message: 'the list has more than 500 rows (RECONCILIATION_MAX_ROWS); split it',
        },
      });
      const at = await csv(csvOf(ids(500)));
      expect(at).toMatchObject({
        status: 200,
        body: { listed: 500, distinct: 500, noAlert: { count: 500 } },
      });
    });

    it('refuses a record over RECONCILIATION_MAX_RECORD_BYTES with 413', async () => {
      const res = await csv(`transactionId,note\nlim-1,${'n'.repeat(300)}\n`);
      expect(res).toMatchObject({
        status: 413,
        body: { message: 'a CSV record is over 256 characters (RECONCILIATION_MAX_RECORD_BYTES)' },
      });
      expect((await csv(`transactionId,note\nlim-1,${'n'.repeat(200)}\n`)).status).toBe(200);
    });

    it('refuses a window over RECONCILIATION_MAX_WINDOW_DAYS and a compressed CSV', async () => {
      const wide = await csv(csvOf(ids(1)), window(32));
      expect(wide).toMatchObject({
        status: 400,
        body: { message: 'to: the window spans 32.0 days; at most 31 (RECONCILIATION_MAX_WINDOW_DAYS)' },
      });
      expect((await csv(csvOf(ids(1)), window(31))).status).toBe(200);
      const gz = await csv(gzipSync(csvOf(ids(1))), window(), { 'content-encoding': 'gzip' });
      expect(gz).toMatchObject({ status: 415, body: { message: expect.stringContaining('uncompressed') } });
    });

    it('ends a stalled upload at RECONCILIATION_TIMEOUT_MS with 408', async () => {
      const res = await rawRequest(`${base}/v1/reconciliations?${window()}`, {
        headers: {
          authorization: `Bearer ${SUPERVISOR_KEY}`,
          'content-type': 'text/csv',
          'transfer-encoding': 'chunked',
        },
        stallAfter: 'transactionId\nlim-1\n',
      });
      expect(res.status).toBe(408);
      expect(res.headers.connection).toBe('close');
      expect(res.body.message).toBe(
        'the reconciliation ran past 3000 ms (RECONCILIATION_TIMEOUT_MS); send a shorter list or window',
      );
    });

    it('cancels a query past RECONCILIATION_STATEMENT_TIMEOUT_MS with 408 (a lock holds it)', async () => {
      // This run's own database: holding a lock on notifications here disturbs no other developer.
      const locker = await db.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE notifications IN ACCESS EXCLUSIVE MODE');
        const res = await csv(csvOf(ids(3)));
        expect(res).toMatchObject({
          status: 408,
          body: {
            message: expect.stringContaining('ran past 1000 ms (RECONCILIATION_STATEMENT_TIMEOUT_MS)'),
          },
        });
      } finally {
        await locker.query('ROLLBACK');
        locker.release();
      }
      expect((await csv(csvOf(ids(3)))).status).toBe(200);
    });
  });

  describe('support search', () => {
    const cardholderId = `ch-page-${randomUUID()}`;
    const start = new Date(Date.UTC(1985, 0, 1) + Math.floor(Math.random() * 3000) * DAY);
    let seeded: string[] = [];

    beforeAll(async () => {
      // 23 alerts in threes a minute apart: two of each three share an authorisation time (the id breaks the
      // tie), the third is 1 µs later, which a millisecond cursor would lose.
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO notifications (id, transaction_id, event_id, cardholder_id, card_id, card_last4, amount_minor,
           currency, merchant_name, authorised_at, received_at, status, updated_at)
         SELECT gen_random_uuid(), 'page-' || $1 || '-' || g, 'e-' || $1 || '-' || g, $1, 'card', '9876', 100, 'GBP',
                'SHOP', $2::timestamptz + ((g / 3) * interval '1 minute') + ((g % 3 / 2) * interval '1 microsecond'),
                now(), 'DELIVERED', now()
         FROM generate_series(1, 23) g
         RETURNING id`,
        [cardholderId, start],
      );
      seeded = rows.map((r) => r.id);
    });

    const search = (params: Record<string, string>) =>
      api(stack, `/v1/notifications?${new URLSearchParams(params).toString()}`, SUPPORT_KEY);
    const windowOf = (days: number) => ({
      from: start.toISOString(),
      to: new Date(start.getTime() + days * DAY).toISOString(),
    });

    it('returns every alert of the window exactly once across pages, newest first', async () => {
      const seen: Array<{ id: string; authorisedAt: string }> = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { status: number; body: any } = await search({
          cardholderId,
          ...windowOf(1),
          limit: '5',
          ...(cursor ? { cursor } : {}),
        });
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.body.items);
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(pages).toBe(5);
      expect(seen.map((n) => n.id).sort()).toEqual([...seeded].sort());
      const times = seen.map((n) => Date.parse(n.authorisedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      // The last page says so; one page that holds everything has no cursor either.
      const all = await search({ cardholderId, ...windowOf(1), limit: '23' });
      expect(all.body).toMatchObject({ nextCursor: null });
      expect(all.body.items).toHaveLength(23);
    });

    it('refuses a window over SUPPORT_SEARCH_MAX_WINDOW_DAYS, an inverted one and a foreign or forged cursor', async () => {
      const wide = await search({ cardholderId, ...windowOf(31.5) });
      expect(wide).toMatchObject({
        status: 400,
        body: { message: [expect.stringMatching(/^to: the window spans 31\.5 days; at most 31/)] },
      });
      expect((await search({ cardholderId, ...windowOf(31) })).status).toBe(200);
      const inverted = await search({ cardLast4: '9876', from: windowOf(1).to, to: windowOf(1).from });
      expect(inverted).toMatchObject({ status: 400, body: { message: ['to: must be after from'] } });

      const first = await search({ cardholderId, ...windowOf(1), limit: '5' });
      const cursor = first.body.nextCursor as string;
      const elsewhere = await search({ cardLast4: '9876', ...windowOf(1), cursor });
      expect(elsewhere).toMatchObject({
        status: 400,
        body: { message: ['cursor: belongs to another search (same filter and window needed)'] },
      });
      const forged = Buffer.from(JSON.stringify(['2001-01-01T00:00:00.000000Z', randomUUID(), 'x'])).toString(
        'base64url',
      );
      for (const bad of [forged, 'not-a-cursor', 'x'.repeat(300)]) {
        const res = await search({ cardholderId, ...windowOf(1), cursor: bad });
        expect(res.status).toBe(400);
      }
    });
  });
});
