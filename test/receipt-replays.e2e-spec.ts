import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { waitFor } from '../src/devstack/wait-for';
import { signVonageParams } from '../src/providers/vonage/vonage-signature';
import { notificationByTx } from './support/db';
import { metricValue, scrape } from './support/metrics';
import { publishAlerts, providerStack } from './support/providers';
import { waitForStatuses } from './support/e2e';

// The stack's defaults (the sandbox's secrets) sign what a provider would send.
const TWILIO_TOKEN = 'sandbox-twilio-auth-token';
const VONAGE_SECRET = 'sandbox-vonage-signature-secret';
const REFUSALS = 20;

describe('receipt replays and refused floods, through the running api over HTTP', () => {
  const t = providerStack({ REFUSED_REQUESTS_PER_MINUTE: String(REFUSALS) });

  /** One alert through `provider` (the ones before it failing), DELIVERED by the sandbox's own receipt. */
  async function deliveredVia(provider: 'twilio' | 'vonage') {
    if (provider === 'vonage') await t.stack.sandboxClient.setFault('twilio', { mode: 'http500' });
    const { ids } = await publishAlerts(t.stack, t.db, 1);
    await waitForStatuses(t.db, ids, ['DELIVERED']);
    const alert = (await notificationByTx(t.db, ids[0]))!;
    expect(alert.provider).toBe(provider);
    return { id: alert.id as string, messageId: alert.provider_message_id as string };
  }
  const rowsOf = async (messageId: string) =>
    (
      await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM receipts WHERE provider_message_id = $1`,
        [messageId],
      )
    ).rows[0].n;
  const eventsOf = async (id: string) =>
    (
      await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM notification_events WHERE notification_id = $1`,
        [id],
      )
    ).rows[0].n;
  const metrics = async () => {
    const text = await scrape(t.stack.apiUrl);
    return (provider: string, name = 'alertline_receipts_total', status?: string) =>
      metricValue(text, name, status ? { provider, status } : { provider });
  };

  function postTwilio(params: Record<string, string>) {
    const url = `${t.stack.apiUrl}/webhooks/twilio/status`;
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO_TOKEN, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
  }
  const signedDlr = (messageId: string, timestamp: number) => {
    const params: Record<string, string> = {
      msisdn: '447700900123',
      to: 'AlertlineBk',
      messageId,
      status: 'delivered',
      'err-code': '0',
      'message-timestamp': new Date(timestamp * 1000).toISOString().slice(0, 19).replace('T', ' '),
      timestamp: String(timestamp),
      nonce: randomBytes(8).toString('hex'),
    };
    return { ...params, sig: signVonageParams(params, VONAGE_SECRET, 'sha256') };
  };
  const postVonage = (body: Record<string, string>) =>
    fetch(`${t.stack.apiUrl}/webhooks/vonage/dlr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('a replayed genuine Twilio status callback adds no row, no history line, no receipts_total count', async () => {
    const alert = await deliveredVia('twilio');
    const [rows, events, before] = [await rowsOf(alert.messageId), await eventsOf(alert.id), await metrics()];
    const callback = {
      MessageSid: alert.messageId,
      MessageStatus: 'delivered',
      AccountSid: 'AC00000000000000000000000000000001',
      ApiVersion: '2010-04-01',
    };
    for (let i = 0; i < 3; i++) expect((await postTwilio(callback)).status).toBe(204);
    const after = await metrics();
    expect(await rowsOf(alert.messageId)).toBe(rows);
    expect(await eventsOf(alert.id)).toBe(events);
    expect(after('twilio', 'alertline_receipts_total', 'DELIVERED')).toBe(
      before('twilio', 'alertline_receipts_total', 'DELIVERED'),
    );
    expect(after('twilio', 'alertline_receipts_duplicate_total')).toBe(
      before('twilio', 'alertline_receipts_duplicate_total') + 3,
    );
    // A new status for the same message is a new receipt.
    expect((await postTwilio({ ...callback, MessageStatus: 'undelivered', ErrorCode: '30003' })).status).toBe(
      204,
    );
    expect(await rowsOf(alert.messageId)).toBe(rows + 1);
  });

  it('a replayed genuine Vonage DLR adds nothing; a stale signed one is refused 403 and counted', async () => {
    const alert = await deliveredVia('vonage');
    const [rows, events, before] = [await rowsOf(alert.messageId), await eventsOf(alert.id), await metrics()];
    const now = Math.floor(Date.now() / 1000);
    const replay = signedDlr(alert.messageId, now);
    expect((await postVonage(replay)).status).toBe(204);
    expect((await postVonage(replay)).status).toBe(204);

    const stale = await postVonage(signedDlr(alert.messageId, now - 3600));
    expect(stale.status).toBe(403);
    expect(((await stale.json()) as { message: string }).message).toMatch(
      /3\d{3} s old; at most 300 s .*RECEIPT_MAX_AGE_SECONDS/,
    );
    const future = await postVonage(signedDlr(alert.messageId, now + 600));
    expect(future.status).toBe(403);

    const after = await metrics();
    expect(await rowsOf(alert.messageId)).toBe(rows);
    expect(await eventsOf(alert.id)).toBe(events);
    expect(after('vonage', 'alertline_receipts_total', 'DELIVERED')).toBe(
      before('vonage', 'alertline_receipts_total', 'DELIVERED'),
    );
    expect(after('vonage', 'alertline_receipts_duplicate_total')).toBe(
      before('vonage', 'alertline_receipts_duplicate_total') + 2,
    );
    expect(after('vonage', 'alertline_receipts_total', 'STALE_TIMESTAMP')).toBe(
      before('vonage', 'alertline_receipts_total', 'STALE_TIMESTAMP') + 2,
    );
  });

  // Last: it spends this host's refusals for a minute.
  it('300 keyless requests with a 16 KB path: 414 before any work, no audit row', async () => {
    const path = `/v1/notifications/${randomBytes(8).toString('hex')}${'a'.repeat(16000)}`;
    for (let i = 0; i < 300; i++) {
      const res = await fetch(`${t.stack.apiUrl}${path}`);
      expect(res.status).toBe(414);
      await res.arrayBuffer();
    }
    const { rows } = await t.db.query(`SELECT 1 FROM audit_log WHERE action LIKE $1`, [
      `GET ${path.slice(0, 60)}%`,
    ]);
    expect(rows).toHaveLength(0);
  });

  // A path just under HTTP_MAX_URL_BYTES (8 KB) reaches the guard.
  it('300 keyless requests with a 7 KB path: 401 up to the limit, then 429 with Retry-After; audit rows bounded', async () => {
    const path = `/v1/notifications/${randomBytes(8).toString('hex')}${'a'.repeat(7000)}`;
    const statuses: number[] = [];
    let retryAfter = '';
    for (let i = 0; i < 300; i++) {
      const res = await fetch(`${t.stack.apiUrl}${path}`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after') ?? '';
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, REFUSALS)).toEqual(Array(REFUSALS).fill(401));
    expect(statuses.slice(REFUSALS)).toEqual(Array(300 - REFUSALS).fill(429));
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);

    const rows = await waitFor('the audit rows of the flood', async () => {
      const { rows } = await t.db.query<{ outcome: string; action_length: number; row_bytes: number }>(
        `SELECT outcome, length(action) AS action_length, pg_column_size(a.*) AS row_bytes
         FROM audit_log a WHERE action LIKE $1 ORDER BY id`,
        [`GET ${path.slice(0, 60)}%`],
      );
      return rows.length >= REFUSALS + 1 ? rows : undefined;
    });
    expect(rows).toHaveLength(REFUSALS + 1);
    expect(rows.map((r) => r.outcome)).toEqual([...Array(REFUSALS).fill('error 401'), 'error 429']);
    for (const r of rows) {
      expect(r.action_length).toBeLessThanOrEqual(520);
      expect(r.row_bytes).toBeLessThan(1536);
    }
    const text = await scrape(t.stack.apiUrl);
    expect(metricValue(text, 'alertline_refused_requests_throttled_total', { surface: 'api' })).toBe(
      300 - REFUSALS,
    );
  });
});
