import { gzipSync } from 'node:zlib';
import { api, SUPERVISOR_KEY } from './support/e2e';
import { chunked, DAY, rawRequest, useSmallLimitsApi } from './support/http-limits';

const csvOf = (ids: string[]) => `transactionId\n${ids.join('\n')}\n`;

describe('reconciliation limits against the running api (413, 408, 415, 400; within a limit it works)', () => {
  const t = useSmallLimitsApi();

  describe('reconciliation', () => {
    const from = new Date(Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 3000) * DAY);
    const window = (days = 1) =>
      `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(new Date(from.getTime() + days * DAY).toISOString())}`;
    const csv = (body: RequestInit['body'], query = window(), headers: Record<string, string> = {}) =>
      fetch(`${t.base}/v1/reconciliations?${query}`, {
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
      const big = await api(t.stack, '/v1/reconciliations', SUPERVISOR_KEY, {
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
      const small = await api(t.stack, '/v1/reconciliations', SUPERVISOR_KEY, {
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
      const declared = await rawRequest(`${t.base}/v1/reconciliations?${window()}`, {
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
      const res = await rawRequest(`${t.base}/v1/reconciliations?${window()}`, {
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
      const locker = await t.db.connect();
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
});
