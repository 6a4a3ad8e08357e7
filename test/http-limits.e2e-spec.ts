import { randomUUID } from 'node:crypto';
import { api, SUPERVISOR_KEY, SUPPORT_KEY } from './support/e2e';
import { chunked, DAY, useSmallLimitsApi } from './support/http-limits';

describe('request limits against the running api (414, 413, 400; within a limit it works)', () => {
  const t = useSmallLimitsApi();

  it('refuses a path and query over HTTP_MAX_URL_BYTES with 414 before authentication or audit', async () => {
    const marker = `uri-${randomUUID()}`;
    const long = await fetch(`${t.base}/v1/notifications?transactionId=${marker}${'x'.repeat(2100)}`);
    expect(long.status).toBe(414);
    expect(long.headers.get('connection')).toBe('close');
    expect(await long.json()).toMatchObject({
      statusCode: 414,
      message: expect.stringMatching(/^request path and query are \d+ bytes; at most 2048 are accepted$/),
    });
    const { rows } = await t.db.query(`SELECT 1 FROM audit_log WHERE target LIKE $1`, [`%${marker}%`]);
    expect(rows).toHaveLength(0);
    // Within the limit the request is served.
    expect((await fetch(`${t.base}/health/live?pad=${'x'.repeat(1900)}`)).status).toBe(200);
  });

  it('limits webhook bodies to HTTP_WEBHOOK_BODY_MAX_BYTES, declared or chunked, form or JSON', async () => {
    const form = `MessageSid=SM1&MessageStatus=delivered&Pad=${'p'.repeat(2100)}`;
    const declared = await api(t.stack, '/webhooks/twilio/status', '', {
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
    const streamed = await fetch(`${t.base}/webhooks/vonage/dlr`, {
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
    const small = await api(t.stack, '/webhooks/twilio/status', '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'MessageSid=SM1&MessageStatus=delivered',
    });
    expect(small.status).toBe(403);
    // Malformed JSON is a clear 400, not an HTML page.
    const bad = await api(t.stack, '/webhooks/vonage/dlr', '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"messageId":',
    });
    expect(bad).toMatchObject({ status: 400, body: { message: 'request body is not valid JSON' } });
  });

  it('limits support API bodies to HTTP_SUPPORT_BODY_MAX_BYTES, whatever the path’s letter case', async () => {
    const id = randomUUID();
    for (const path of [`/v1/notifications/${id}/resend`, `/V1/Notifications/${id}/resend`]) {
      const res = await api(t.stack, path, SUPERVISOR_KEY, {
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
    const ok = await api(t.stack, `/v1/notifications/${id}/resend`, SUPERVISOR_KEY, { method: 'POST' });
    expect(ok.status).toBe(404);
  });

  describe('support search', () => {
    const cardholderId = `ch-page-${randomUUID()}`;
    const start = new Date(Date.UTC(1985, 0, 1) + Math.floor(Math.random() * 3000) * DAY);
    let seeded: string[] = [];

    beforeAll(async () => {
      // 23 alerts in threes a minute apart: two of each three share an authorisation time (the id breaks the
      // tie), the third is 1 µs later, which a millisecond cursor would lose.
      const { rows } = await t.db.query<{ id: string }>(
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
      api(t.stack, `/v1/notifications?${new URLSearchParams(params).toString()}`, SUPPORT_KEY);
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
