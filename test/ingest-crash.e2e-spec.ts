import { openedAlerts } from './support/opened';
import { Pool } from 'pg';
import { DevStack } from '../src/devstack/dev-stack';
import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { startStack, stopStack, waitForStatuses } from './support/e2e';

// The restarted ingest joins its consumer groups only once Kafka has given up on the killed one (its
// 30 s session), and 1,500 alerts then go out at the providers' rate limits: the test gets 6 minutes, and
// each wait below has its own, generous limit.
const TEST_LIMIT_MS = 360_000;

describe('ingest killed with SIGKILL mid-batch', () => {
  const ctx: { stack?: DevStack; db?: Pool } = {};
  afterAll(() => stopStack(ctx));

  it(
    'still gives exactly one SMS per transaction and loses none',
    async () => {
      // This spec is about ingest. On a loaded machine the sandbox answers slower than the default 5 s
      // provider timeout, and every send then takes the (designed, slow) detour of asking Twilio whether it
      // took the message; the resilience specs cover that path.
      Object.assign(
        ctx,
        await startStack({ env: { PROVIDER_TIMEOUT_MS: '20000', CIRCUIT_TIMEOUT_MS: '25000' } }),
      );
      const { stack, db } = ctx as { stack: DevStack; db: Pool };
      const contacts = Array.from({ length: 50 }, () => makeContact());
      await stack.publishContacts(contacts);
      await waitFor('contacts projected', async () => {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM contacts WHERE cardholder_id = ANY($1)`,
          [contacts.map((c) => c.cardholderId)],
        );
        return rows[0].n === contacts.length;
      });

      const txns = Array.from({ length: 1500 }, (_, i) =>
        makeTransaction(contacts[i % contacts.length].cardholderId),
      );
      const ids = txns.map((t) => t.transactionId);
      // Each transaction is also published twice, as an upstream retry would.
      await stack.publishTransactions([...txns, ...txns.slice(0, 300)]);
      const ingest = stack.role('ingest');
      await waitFor(
        'ingest to be part-way through',
        async () => {
          const { rows } = await db.query(
            `SELECT count(*)::int AS n FROM notifications WHERE transaction_id = ANY($1)`,
            [ids],
          );
          return rows[0].n > 0 && rows[0].n < ids.length ? rows[0].n : undefined;
        },
        30000,
        20,
      );
      await ingest.kill('SIGKILL');
      const { rows: atKill } = await db.query(
        `SELECT count(*)::int AS n FROM notifications WHERE transaction_id = ANY($1)`,
        [ids],
      );
      expect(atKill[0].n).toBeLessThan(ids.length);

      // Ready means joined: the killed process stays a member of both groups until its session times out.
      await ingest.start(120_000);
      await stack.publishTransactions(txns.slice(1000, 1100));
      await waitForStatuses(db, ids, ['DELIVERED'], 180_000);

      // Every provider counts: past Twilio's rate limit (100/s by default) sends overflow to Vonage, which
      // keeps numbers without the "+".
      const digits = (phone: string) => phone.replace(/\D/g, '');
      const received = await stack.sandboxClient.messages();
      const phones = new Set(contacts.map((c) => digits(c.phoneNumber)));
      const ours = received.filter((m) => phones.has(digits(m.to)));
      expect(ours).toHaveLength(txns.length);
      const bodies = new Set(ours.map((m) => `${digits(m.to)}|${m.body}`));
      const rows = await openedAlerts(db, ids);
      expect(rows).toHaveLength(txns.length);
      for (const r of rows) expect(bodies.has(`${digits(r.phone_e164 ?? '')}|${r.body}`)).toBe(true);
    },
    TEST_LIMIT_MS,
  );
});
