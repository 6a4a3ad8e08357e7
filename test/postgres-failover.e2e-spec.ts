import { Pool } from 'pg';
import { ReceiptReplayer } from '../src/chaos/chaos.load';
import { PrivatePostgres } from '../src/chaos/private-postgres';
import { DevStack } from '../src/devstack/dev-stack';
import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { publishContactsAndWait, waitForStatuses } from './support/e2e';

/**
 * Regression for the first chaos run: `pg_ctl restart` under load ended the dispatcher and the api (an
 * unhandled 'error' event on a checked-out pg client, 57P01). Here a private PostgreSQL cluster (the shared
 * one serves everyone else's tests) is restarted under a running pipeline; every role must still be running and every alert end DELIVERED with one SMS. Then the api is stopped with
 * SIGTERM while receipts are in flight: it must answer each of them 2xx (HTTP closes before the pool ends)
 * and exit 0.
 */
describe('roles under a PostgreSQL failover (private cluster)', () => {
  let pg: PrivatePostgres;
  let stack: DevStack;
  let db: Pool;

  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    const url = await pg.createDatabase('alertline_failover');
    stack = await DevStack.create({
      databaseUrl: url,
      echoLogs: !!process.env.E2E_ECHO,
      // The sweeper runs often, so a restart is likely to hit it holding its run lock.
      env: { SWEEP_INTERVAL_MS: '500', DATABASE_STATEMENT_TIMEOUT_MS: '3000' },
    });
    await stack.start();
    db = new Pool({ connectionString: url, max: 2 });
    db.on('error', () => undefined);
    db.on('connect', (c) => c.on('error', () => undefined));
  });
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
    await pg?.destroy();
  });

  const roles = () => [...stack.replicas.values()].flat();

  it('keeps every role running through a restart under load, and delivers every alert once', async () => {
    const contacts = Array.from({ length: 20 }, () => makeContact());
    await publishContactsAndWait(stack, db, contacts);
    // Sends take a while, so jobs, transactions and receipts are in flight when the server goes.
    await stack.sandboxClient.setFault('twilio', { mode: 'slow', latencyMs: 300 });
    const txs = contacts.flatMap((c) => [makeTransaction(c.cardholderId), makeTransaction(c.cardholderId)]);
    await stack.publishTransactions(txs.slice(0, 20));
    await waitFor('some alerts to be sending', async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM notifications WHERE status IN ('SENDING', 'SENT', 'DELIVERED')`,
      );
      return rows[0].n > 0;
    });
    await pg.restart();
    await stack.publishTransactions(txs.slice(20));

    const ids = txs.map((t) => t.transactionId);
    await waitForStatuses(db, ids, ['DELIVERED'], 180_000);
    expect(
      roles()
        .filter((r) => !r.running)
        .map((r) => r.role),
    ).toEqual([]);
    const { rows } = await db.query<{ phone: string; body: string }>(
      `SELECT phone_e164 AS phone, body FROM notifications WHERE transaction_id = ANY($1)`,
      [ids],
    );
    const received = await stack.sandboxClient.messages();
    for (const alert of rows)
      expect(received.filter((m) => m.to === alert.phone && m.body === alert.body)).toHaveLength(1);
  });

  it('answers every receipt in flight 2xx when the api is stopped with SIGTERM, and exits 0', async () => {
    await stack.sandboxClient.clearFaults();
    const contact = makeContact();
    await publishContactsAndWait(stack, db, [contact]);
    const txs = Array.from({ length: 30 }, () => makeTransaction(contact.cardholderId));
    await stack.publishTransactions(txs);
    await waitForStatuses(
      db,
      txs.map((t) => t.transactionId),
      ['DELIVERED'],
      120_000,
    );
    const api = stack.role('api');
    const replayer = new ReceiptReplayer(
      stack,
      'sandbox-twilio-auth-token',
      'AC00000000000000000000000000000001',
    );
    // A burst of replayed receipts, and SIGTERM while it is being answered.
    const burst = replayer.replayRecent(150, true);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const stopped = api.kill('SIGTERM');
    const answers = await burst;
    await stopped;
    expect(api.lastExitCode).toBe(0);
    expect(answers.server5xx).toBe(0);
    // Some were answered before the server closed; the rest found it closed (a sender retries those).
    expect(answers.ok).toBeGreaterThan(0);
    await api.start();
  });
});
