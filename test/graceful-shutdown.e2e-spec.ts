import { Pool } from 'pg';
import { ReceiptReplayer } from '../src/chaos/chaos.load';
import { PrivatePostgres } from '../src/chaos/private-postgres';
import { DevStack } from '../src/devstack/dev-stack';
import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { publishContactsAndWait, waitForStatuses } from './support/e2e';

/**
 * Regression for graceful SIGTERM: Nest 12.5 ends the pool (destroy hooks) before it closes the HTTP server,
 * so receipts in flight when the api was stopped met an ended pool. The api now drains readiness, closes HTTP
 * (letting requests in flight finish) and only then runs the hooks: every receipt it takes is answered 2xx
 * and it exits 0. On a private PostgreSQL cluster, as the chaos run uses.
 */
describe('api SIGTERM with receipts in flight (private PostgreSQL)', () => {
  let pg: PrivatePostgres;
  let stack: DevStack;
  let db: Pool;

  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    const url = await pg.createDatabase('alertline_failover');
    stack = await DevStack.create({
      databaseUrl: url,
      echoLogs: !!process.env.E2E_ECHO,
    });
    // A loaded machine can take more than a minute to bring a role up.
    await stack.start(180_000);
    db = new Pool({ connectionString: url, max: 2 });
    db.on('error', () => undefined);
    db.on('connect', (c) => c.on('error', () => undefined));
  });
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
    await pg?.destroy();
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
    const burst = replayer.replayRecent(150, true, 600_000);
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
