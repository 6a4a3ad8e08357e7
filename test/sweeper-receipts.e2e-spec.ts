import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { DevStack } from '../src/devstack/dev-stack';
import { makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { notificationByTx, timelineTypes } from './support/db';
import { waitForStatuses } from './support/e2e';
import { metricValue, scrape } from './support/metrics';
import { projectedContacts, startSweeperStack, SweeperStack } from './support/sweeper';

/**
 * Receipts as the sandbox's Twilio sends them (signed status callbacks through the api's webhook),
 * repeated and out of order, and receipts for message ids Alertline never sent. The receipt SLA is long
 * here, so every state change comes from a receipt, not from the sweeper.
 */
describe('receipts end to end: duplicated, out of order, unknown', () => {
  let ctx: SweeperStack | undefined;
  let stack: DevStack;
  let db: SweeperStack['db'];

  beforeAll(async () => {
    ctx = await startSweeperStack({ RECEIPT_SLA_SECONDS: '300' });
    ({ stack, db } = ctx);
  });
  afterAll(() => ctx?.stop());

  // By message id: an intermediate receipt that races the SENT write is stored without its alert's id.
  const receiptsOf = async (sid: string) =>
    (await db.query(`SELECT count(*)::int AS n FROM receipts WHERE provider_message_id = $1`, [sid])).rows[0]
      .n as number;

  /** A SENT alert whose message the sandbox will not report on by itself. */
  async function sentAlert() {
    const [contact] = await projectedContacts(stack, db, 1);
    await stack.sandboxClient.setFault('twilio', { receipt: 'none' });
    const txn = makeTransaction(contact.cardholderId);
    await stack.publishTransactions([txn]);
    await waitForStatuses(db, [txn.transactionId], ['SENT']);
    await stack.sandboxClient.clearFaults();
    const n = (await notificationByTx(db, txn.transactionId))!;
    const sid = n.provider_message_id as string;
    // The sandbox's own "sent" callback first, so that it cannot interleave with the receipts pushed below.
    // receiptsOf looks it up by message id: the sandbox posts it as soon as Twilio answered, so it often
    // reaches the api before the dispatcher's SENT write commits, and an intermediate receipt that wins that
    // race is stored without its alert (only final receipts are claimed by the SENT write; design.md).
    await waitFor(
      `the "sent" callback for ${sid} recorded by the api`,
      async () => (await receiptsOf(sid)) >= 1,
    );
    return { txn, id: n.id as string, sid };
  }

  /** Receipts of the alert stored, plus replays the api dropped (a repeat of a stored receipt adds no row). */
  const handled = async (sid: string) =>
    (await receiptsOf(sid)) +
    metricValue(await scrape(stack.apiUrl), 'alertline_receipts_duplicate_total', { provider: 'twilio' });

  /** One receipt from the sandbox, waiting until the api has handled it, so the order of arrival is ours. */
  async function push(alert: { id: string; sid: string }, status: string, errorCode?: string) {
    const before = await handled(alert.sid);
    const res = await fetch(`${stack.sandbox.baseUrl}/sandbox/messages/twilio/${alert.sid}/receipt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(errorCode ? { status, errorCode } : { status }),
    });
    expect(res.status).toBe(202);
    await waitFor(`receipt ${status} handled`, async () => (await handled(alert.sid)) > before);
  }

  it('a repeated DELIVERED changes nothing, and a late UNDELIVERED or "sent" never moves it back', async () => {
    const a = await sentAlert();
    await push(a, 'delivered');
    await push(a, 'delivered');
    await push(a, 'undelivered', '30003');
    await push(a, 'sent');
    expect(await notificationByTx(db, a.txn.transactionId)).toMatchObject({
      status: 'DELIVERED',
      last_error_code: null,
    });
    const types = await timelineTypes(db, a.id);
    expect(types.filter((t) => t === 'DELIVERED')).toHaveLength(1);
    expect(types.indexOf('DELIVERED')).toBeGreaterThan(types.indexOf('SENT'));
  });

  it('UNDELIVERED is final too: a later "sent" or a repeat keeps it, with the carrier code', async () => {
    const b = await sentAlert();
    await push(b, 'undelivered', '30005');
    await push(b, 'sent');
    await push(b, 'undelivered', '30005');
    expect(await notificationByTx(db, b.txn.transactionId)).toMatchObject({
      status: 'UNDELIVERED',
      last_error_code: '30005',
    });
    expect((await timelineTypes(db, b.id)).filter((t) => t === 'UNDELIVERED')).toHaveLength(1);
  });

  it('keeps and counts a receipt for a message id Alertline never sent, leaving every alert as it was', async () => {
    const c = await sentAlert();
    const url = `${stack.apiUrl}/webhooks/twilio/status`;
    const unknown = `SM${randomUUID().replace(/-/g, '')}`;
    const params = {
      MessageSid: unknown,
      MessageStatus: 'delivered',
      AccountSid: 'AC00000000000000000000000000000001',
    };
    const before = metricValue(await scrape(stack.apiUrl), 'alertline_receipts_total', {
      status: 'UNMATCHED',
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature('sandbox-twilio-auth-token', url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(204);
    const { rows } = await db.query(
      `SELECT notification_id, status FROM receipts WHERE provider_message_id = $1`,
      [unknown],
    );
    expect(rows).toEqual([{ notification_id: null, status: 'DELIVERED' }]);
    expect(metricValue(await scrape(stack.apiUrl), 'alertline_receipts_total', { status: 'UNMATCHED' })).toBe(
      before + 1,
    );
    expect(await notificationByTx(db, c.txn.transactionId)).toMatchObject({ status: 'SENT' });
  });
});
