import { DevStack } from '../src/devstack/dev-stack';
import { makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { notificationByTx, timelineTypes } from './support/db';
import { waitForStatuses } from './support/e2e';
import { metricValue, scrape } from './support/metrics';
import {
  deleteQueueKeys,
  expectOneSmsEach,
  projectedContacts,
  startSweeperStack,
  SweeperStack,
  sweptAlerts,
  whileQueued,
} from './support/sweeper';

describe('sweeper end to end (own database; Redis keys of this stack only)', () => {
  let ctx: SweeperStack | undefined;
  let stack: DevStack;
  let db: SweeperStack['db'];

  beforeAll(async () => {
    ctx = await startSweeperStack({ DISPATCHER_CONCURRENCY: '3' });
    ({ stack, db } = ctx);
  });
  afterAll(() => ctx?.stop());

  it("delivers every queued alert exactly once after the stack's Bull keys are deleted from Redis", async () => {
    const contacts = await projectedContacts(stack, db, 30);
    // Slow sends with 3 at a time keep most alerts waiting in Bull while their jobs are deleted.
    await stack.sandboxClient.setFault('twilio', { mode: 'slow', latencyMs: 1500 });
    const txns = contacts.map((c) => makeTransaction(c.cardholderId));
    const ids = txns.map((t) => t.transactionId);
    await stack.publishTransactions(txns);
    await whileQueued(db, ids, 20);

    // Only this stack's keys (QUEUE_PREFIX alertline-<namespace>): a FLUSHALL here would wipe the queues of
    // every other test using this Redis. The real FLUSHALL runs on a private Redis in sweeper-flushall.
    const prefix = stack.env.QUEUE_PREFIX;
    expect(prefix).toMatch(/^alertline-t[0-9a-f]+$/);
    expect(await deleteQueueKeys(stack.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix)).toBeGreaterThan(0);
    await stack.sandboxClient.clearFaults();

    await waitForStatuses(db, ids, ['DELIVERED'], 120_000);
    await expectOneSmsEach(stack, contacts);
    // The dispatcher counted exactly the alerts whose history shows the sweeper re-enqueued them.
    const swept = await sweptAlerts(db, ids);
    expect(swept).toBeGreaterThan(0);
    const metrics = await scrape(stack.role('dispatcher').baseUrl);
    expect(metricValue(metrics, 'alertline_sweeper_requeued_total')).toBe(swept);
    expect(metricValue(metrics, 'alertline_sweeper_runs_total', { outcome: 'ok' })).toBeGreaterThan(0);
  });

  it('flags an alert OVERDUE when the provider knows nothing final past the SLA; a late receipt still delivers it', async () => {
    const [contact] = await projectedContacts(stack, db, 1);
    // The sandbox accepts, moves the message to "sent" and never sends a final receipt; fetching it says "sent".
    await stack.sandboxClient.setFault('twilio', { receipt: 'none' });
    const txn = makeTransaction(contact.cardholderId);
    await stack.publishTransactions([txn]);
    await waitForStatuses(db, [txn.transactionId], ['SENT']);
    const n = await waitFor('the sweeper to flag the alert overdue', async () => {
      const row = await notificationByTx(db, txn.transactionId);
      return row?.overdue ? row : undefined;
    });
    await stack.sandboxClient.clearFaults();
    expect(n.status).toBe('SENT');
    const dispatcher = stack.role('dispatcher').baseUrl;
    await waitFor(
      'the overdue gauge',
      async () => metricValue(await scrape(dispatcher), 'alertline_notifications_overdue') === 1,
    );
    const metrics = await scrape(dispatcher);
    expect(
      metricValue(metrics, 'alertline_sweeper_polled_total', { provider: 'twilio', outcome: 'pending' }),
    ).toBeGreaterThan(0);

    // Asked again every second meanwhile, but the history says OVERDUE once.
    const res = await fetch(
      `${stack.sandbox.baseUrl}/sandbox/messages/twilio/${n.provider_message_id as string}/receipt`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'delivered' }),
      },
    );
    expect(res.status).toBe(202);
    await waitForStatuses(db, [txn.transactionId], ['DELIVERED']);
    expect(await notificationByTx(db, txn.transactionId)).toMatchObject({
      status: 'DELIVERED',
      overdue: true,
    });
    expect((await timelineTypes(db, n.id as string)).filter((t) => t === 'OVERDUE')).toHaveLength(1);
    await waitFor(
      'the overdue gauge back to 0',
      async () => metricValue(await scrape(dispatcher), 'alertline_notifications_overdue') === 0,
    );
  });

  it('asks the provider when the receipt webhook is lost, and records DELIVERED from its answer', async () => {
    const [contact] = await projectedContacts(stack, db, 1);
    const api = stack.role('api');
    // The api (the webhook receiver) is down: the sandbox delivers the message but its callbacks fail.
    await api.stop();
    try {
      const txn = makeTransaction(contact.cardholderId);
      await stack.publishTransactions([txn]);
      await waitForStatuses(db, [txn.transactionId], ['DELIVERED'], 60_000);
      const n = (await notificationByTx(db, txn.transactionId))!;
      expect(n.overdue).toBe(false);
      const { rows } = await db.query(`SELECT provider_status FROM receipts WHERE notification_id = $1`, [
        n.id,
      ]);
      expect(rows.map((r) => r.provider_status)).toContain('delivered (polled)');
      const metrics = await scrape(stack.role('dispatcher').baseUrl);
      expect(
        metricValue(metrics, 'alertline_sweeper_polled_total', { provider: 'twilio', outcome: 'delivered' }),
      ).toBeGreaterThan(0);
      await expectOneSmsEach(stack, [contact]);
    } finally {
      await api.start();
    }
  });
});
