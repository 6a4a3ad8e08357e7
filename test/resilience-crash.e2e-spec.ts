import { Pool } from 'pg';
import { DevStack } from '../src/devstack/dev-stack';
import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { publishContactsAndWait, startStack, stopStack, waitForStatuses } from './support/e2e';
import { ALL_PROVIDERS, historyOf, receivedBy } from './support/providers';

describe('dispatcher killed with SIGKILL in the middle of sends', () => {
  const ctx: { stack?: DevStack; db?: Pool } = {};
  afterAll(() => stopStack(ctx));

  it('loses no alert and the provider never gets a second copy of one it had taken', async () => {
    // Twilio answers each send after 4 s, so sends are in flight when the dispatcher dies (and Twilio
    // still takes them); a lease of 6 s lets the restarted dispatcher take the alerts over soon after.
    Object.assign(ctx, await startStack({ env: { PROVIDERS: ALL_PROVIDERS, SEND_LEASE_MS: '6000' } }));
    const { stack, db } = ctx as { stack: DevStack; db: Pool };
    await stack.sandboxClient.setFault('twilio', { mode: 'slow', latencyMs: 4000 });
    const contacts = Array.from({ length: 40 }, () => makeContact());
    await publishContactsAndWait(stack, db, contacts);
    const txns = contacts.map((c) => makeTransaction(c.cardholderId));
    const ids = txns.map((t) => t.transactionId);
    await stack.publishTransactions(txns);

    const inFlight = await waitFor(
      'sends in flight',
      async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM delivery_attempts a JOIN notifications n ON n.id = a.notification_id
           WHERE n.transaction_id = ANY($1) AND a.status = 'IN_FLIGHT'`,
          [ids],
        );
        return rows[0].n >= 5 ? rows[0].n : undefined;
      },
      30000,
      20,
    );
    // Give the in-flight requests time to reach Twilio, well inside its 4 s answer time.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const dispatcher = stack.role('dispatcher');
    await dispatcher.kill('SIGKILL');
    const { rows: unresolved } = await db.query<{ notification_id: string }>(
      `SELECT a.notification_id FROM delivery_attempts a JOIN notifications n ON n.id = a.notification_id
       WHERE n.transaction_id = ANY($1) AND a.status = 'IN_FLIGHT'`,
      [ids],
    );
    const { rows: atKill } = await db.query<{ status: string }>(
      `SELECT status FROM notifications WHERE transaction_id = ANY($1)`,
      [ids],
    );
    expect(inFlight).toBeGreaterThanOrEqual(5);
    expect(atKill.filter((r) => ['DELIVERED', 'SENT'].includes(r.status)).length).toBeLessThan(ids.length);

    // The sandbox finishes what it was given; then the dispatcher comes back.
    await stack.sandboxClient.clearFaults();
    await dispatcher.start();
    await waitForStatuses(db, ids, ['DELIVERED'], 150000);

    for (const c of contacts) expect(await receivedBy(stack, c.phoneNumber)).toHaveLength(1);
    // Every attempt left in flight was resolved by asking Twilio first: taken ones were not sent again.
    for (const { notification_id } of unresolved) {
      const recovery = (await historyOf(db, notification_id)).filter((e) => e.type === 'RECOVERED_IN_FLIGHT');
      expect(recovery.length).toBeGreaterThan(0);
    }
    const taken = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notification_events
       WHERE notification_id = ANY($1) AND type = 'RECOVERED_IN_FLIGHT' AND detail LIKE '%not sent again'`,
      [unresolved.map((r) => r.notification_id)],
    );
    expect(taken.rows[0].n).toBeGreaterThan(0);
  });
});
