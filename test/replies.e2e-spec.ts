import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { notificationByTx } from './support/db';
import { readTopic } from './support/dead-letters';
import { api, publishContactsAndWait, SUPERVISOR_KEY, useStack, waitForStatuses } from './support/e2e';
import { metricValue, scrape } from './support/metrics';
import { indexHits, scanForNeedles } from './support/personal-data-scan';
import { closeReplies, repliesFrom, waitForReplies } from './support/replies';

// The cardholder's reply through the sandbox (signed Twilio and Vonage webhooks, an SMPP deliver_sm), the
// running roles and real Kafka (docs/design.md, "The cardholder's reply"): linked to the alert sent to the
// number, stored with both times, published to the replies topic, shown to support with the number masked.
describe("the cardholder's reply end to end (sandbox -> api/dispatcher -> Postgres -> replies topic)", () => {
  const e2e = useStack();
  const en = makeContact({ locale: 'en-GB' });
  // Numbers of this run only: a reply is found by its number, and a rerun on the same database must not
  // find the last run's.
  const digits = (n: number) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');
  const zhLocal = `138${digits(8)}`;
  const zh = makeContact({ locale: 'zh-CN', phoneNumber: zhLocal, region: 'CN' });
  const zhPhone = `+86${zhLocal}`;

  beforeAll(() => publishContactsAndWait(e2e.stack, e2e.db, [en, zh]));
  afterAll(() => closeReplies());

  const apiMetric = async (name: string, labels: Record<string, string>) =>
    metricValue(await scrape(e2e.stack.role('api').baseUrl), name, labels);

  it('links an English and a Chinese reply to the alert sent to each number and publishes both', async () => {
    const txn = makeTransaction(en.cardholderId, {
      amountMinor: 12800,
      currency: 'EUR',
      merchantName: 'CAFE',
    });
    const txnZh = makeTransaction(zh.cardholderId, {
      amountMinor: 8800,
      currency: 'CNY',
      merchantName: '星巴克',
    });
    await e2e.stack.publishTransactions([txn, txnZh]);
    await waitForStatuses(e2e.db, [txn.transactionId, txnZh.transactionId], ['DELIVERED']);
    const alert = (await notificationByTx(e2e.db, txn.transactionId))!;
    const alertZh = (await notificationByTx(e2e.db, txnZh.transactionId))!;

    await e2e.stack.sandboxClient.sendInbound('twilio', { from: en.phoneNumber, text: 'NOT ME' });
    await e2e.stack.sandboxClient.sendInbound('vonage', { from: zhPhone, text: '不是我！' });
    const [reply] = await waitForReplies(e2e.db, en.phoneNumber);
    const [replyZh] = await waitForReplies(e2e.db, zhPhone);
    expect(reply).toEqual(
      expect.objectContaining({
        provider: 'twilio',
        classification: 'NOT_RECOGNISED',
        keyword: 'not me',
        notification_id: alert.id,
        alert_sent_at: alert.accepted_at,
      }),
    );
    expect(replyZh).toEqual(
      expect.objectContaining({
        provider: 'vonage',
        text: '不是我！',
        classification: 'NOT_RECOGNISED',
        keyword: '不是我',
        notification_id: alertZh.id,
        alert_sent_at: alertZh.accepted_at,
      }),
    );
    expect(reply.received_at.getTime()).toBeGreaterThanOrEqual((alert.accepted_at as Date).getTime());

    const records = await readTopic(e2e.stack, e2e.stack.topics.replies, (rs) =>
      [reply.id, replyZh.id].every((id) => rs.some((r) => r.headers['reply-id'] === id)),
    );
    const published = records.find((r) => r.headers['reply-id'] === replyZh.id)!;
    expect(published.key).toBe(zh.cardholderId);
    expect(JSON.parse(published.value)).toEqual(
      expect.objectContaining({
        replyId: replyZh.id,
        provider: 'vonage',
        from: zhPhone,
        text: '不是我！',
        classification: 'NOT_RECOGNISED',
        linked: true,
        alert: expect.objectContaining({
          notificationId: alertZh.id,
          transactionId: txnZh.transactionId,
          cardholderId: zh.cardholderId,
          sentAt: (alertZh.accepted_at as Date).toISOString(),
        }) as unknown,
      }),
    );

    // The number and the words are sealed at rest: no column or index of the replies holds them plain.
    const mine = (hits: string[]) => hits.filter((h) => /^repl(y|ies)/.test(h));
    expect(mine(await scanForNeedles(e2e.db, [zhPhone, en.phoneNumber, '不是我！']))).toEqual([]);
    expect(mine(await indexHits(e2e.db, [zhPhone, en.phoneNumber]))).toEqual([]);

    // Support sees the reply in the alert's timeline, the number masked; a supervisor sees it whole.
    const seen = await api(e2e.stack, `/v1/notifications/${String(alert.id)}`);
    expect(seen.body.replies).toEqual([
      expect.objectContaining({
        classification: 'NOT_RECOGNISED',
        text: 'NOT ME',
        receivedAt: reply.received_at.toISOString(),
      }),
    ]);
    expect(seen.body.replies[0].from).toMatch(/^\+44\*+\d{3}$/);
    expect(seen.body.timeline.map((e: { type: string }) => e.type)).toContain('REPLY_RECEIVED');
    const whole = await api(e2e.stack, `/v1/notifications/${String(alert.id)}`, SUPERVISOR_KEY);
    expect(whole.body.replies[0].from).toBe(en.phoneNumber);
  });

  it('receives a reply over SMPP (a deliver_sm that is not a receipt) and links it', async () => {
    const before = (await repliesFrom(e2e.db, zhPhone)).length;
    // SMPP has no message id: the same words from the number within 10 minutes are one reply, so each run's
    // differ (a rerun of this spec on the same database would otherwise be a redelivery).
    const words = `非本人操作 ${Date.now()}`;
    const sent = await e2e.stack.sandboxClient.sendInbound('smpp', { from: zhPhone, text: words });
    expect(sent.sent).toBe(true);
    const rows = await waitForReplies(e2e.db, zhPhone, before + 1);
    expect(rows.at(-1)).toEqual(
      expect.objectContaining({
        provider: 'smpp',
        keyword: '非本人',
        notification_id: expect.any(String) as unknown,
      }),
    );
  });

  it('keeps and counts a reply from a number no alert was sent to, and publishes it unlinked', async () => {
    const stranger = `+447700${digits(6)}`;
    await e2e.stack.sandboxClient.sendInbound('twilio', { from: stranger, text: 'who is this?' });
    const [row] = await waitForReplies(e2e.db, stranger);
    expect(row).toEqual(
      expect.objectContaining({ notification_id: null, alert_sent_at: null, classification: 'OTHER' }),
    );
    expect(
      await apiMetric('alertline_replies_total', { provider: 'twilio', linked: 'false' }),
    ).toBeGreaterThanOrEqual(1);
    const records = await readTopic(e2e.stack, e2e.stack.topics.replies, (rs) =>
      rs.some((r) => r.headers['reply-id'] === row.id),
    );
    const value = JSON.parse(records.find((r) => r.headers['reply-id'] === row.id)!.value) as Record<
      string,
      unknown
    >;
    expect(value).toEqual(expect.objectContaining({ linked: false, alert: null, text: 'who is this?' }));
  });

  it('refuses a forged or unsigned inbound message, counts it, and stores nothing', async () => {
    const victim = `+447701${digits(6)}`;
    const refused = () => apiMetric('alertline_receipts_total', { status: 'BAD_SIGNATURE' });
    const start = await refused();
    await e2e.stack.sandboxClient.sendInbound('twilio', {
      from: victim,
      text: 'NOT ME',
      signature: 'forged',
    });
    await e2e.stack.sandboxClient.sendInbound('vonage', { from: victim, text: 'NOT ME', signature: 'none' });
    const unsigned = await fetch(`${e2e.stack.apiUrl}/webhooks/twilio/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ MessageSid: 'SMforged', From: victim, To: '+15005550006', Body: 'NOT ME' }),
    });
    expect(unsigned.status).toBe(403);
    await waitFor('three refusals counted', async () => (await refused()) >= start + 3);
    expect(await repliesFrom(e2e.db, victim)).toEqual([]);
  });
});
