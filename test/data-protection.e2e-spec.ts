import { Pool } from 'pg';
import { AppConfig } from '../src/config/app-config';
import { ContactsRepository } from '../src/contacts/contacts.repository';
import { DataCipher } from '../src/crypto/data-cipher';
import { Database } from '../src/database/database.service';
import { DevStack } from '../src/devstack/dev-stack';
import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { NotificationStatus as S } from '../src/notifications/notification-status';
import { NotificationsRepository } from '../src/notifications/notifications.repository';
import { api, publishContactsAndWait, SUPERVISOR_KEY, waitForStatuses } from './support/e2e';
import { newNotification } from './support/notification-fixture';
import { scanForNeedles } from './support/personal-data-scan';
import { receivedBy } from './support/providers';
import { scratchDatabase } from './support/scratch-db';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const K1 = { DATA_KEYS: `k1:${key(11)}` };
// The stack starts rotated: k2 seals new writes, k1 still opens what it sealed, and the retention run's
// walk re-wraps k1 rows while the alerts below are ingested and sent.
const ROTATED = { DATA_KEYS: `k2:${key(12)},k1:${key(11)}`, DATA_KEY_CURRENT: 'k2' };
const DAY_MS = 86_400_000;

// Its own database: the walk and the purge act on every row they can see.
describe('data protection through the running roles: rotation under load, purge, no plain number stored', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let stack: DevStack;
  let db: Pool;
  let seeded: Database;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    db = scratch.pool;
    seeded = new Database(AppConfig.fromEnv({ DATABASE_URL: scratch.url, DATABASE_POOL_MAX: '2' }, []));
    stack = await DevStack.create({
      databaseUrl: scratch.url,
      echoLogs: !!process.env.E2E_ECHO,
      env: {
        ...ROTATED,
        RETENTION_ENABLED: 'true',
        RETENTION_INTERVAL_MS: '250',
        RETENTION_BATCH_SIZE: '3',
        PERSONAL_DATA_RETENTION_DAYS: '1',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await seeded?.onModuleDestroy();
    await scratch?.drop();
  });

  it('sends every alert to its own number while k1 rows move to k2, then holds no plain number', async () => {
    // Before the roles start: contacts sealed under k1 (one left plain, as before the migration), and an
    // old delivered alert under k1 past the retention.
    const k1 = new DataCipher(AppConfig.fromEnv(K1, []));
    const old = makeContact();
    const contacts = Array.from({ length: 12 }, () => makeContact());
    await new ContactsRepository(seeded, k1).upsertMany(
      contacts.map((c) => ({
        cardholderId: c.cardholderId,
        version: 1,
        deleted: false,
        phoneE164: c.phoneNumber,
        phoneInvalidReason: null,
        smsAlerts: true,
        locale: 'en-GB',
        minAmountMinor: null,
      })),
    );
    await db.query(
      `UPDATE contacts SET phone_e164 = $2, phone_enc = NULL, wrapped_key = NULL, data_key_id = NULL, phone_hash = NULL
       WHERE cardholder_id = $1`,
      [contacts[0].cardholderId, contacts[0].phoneNumber],
    );
    const at = new Date(Date.now() - 3 * DAY_MS);
    const expired = newNotification({ receivedAt: at, authorisedAt: at, phoneE164: old.phoneNumber });
    await seeded.transaction((tx) => new NotificationsRepository(seeded, k1).insertMany([expired], tx));
    await db.query(`UPDATE notifications SET status = 'DELIVERED', final_at = received_at WHERE id = $1`, [
      expired.id,
    ]);

    await stack.start();
    // Half the traffic for the seeded contacts (opened under k1 or k2, whichever the walk has reached),
    // half for contacts arriving now through Kafka (sealed under k2), in two waves around the walk.
    const fresh = Array.from({ length: 12 }, () => makeContact());
    await publishContactsAndWait(stack, db, fresh);
    const everyone = [...contacts, ...fresh];
    const waves = [everyone.slice(0, 12), everyone.slice(12)].map((w) =>
      w.map((c) => ({ contact: c, txn: makeTransaction(c.cardholderId) })),
    );
    for (const wave of waves) await stack.publishTransactions(wave.map((w) => w.txn));
    const all = waves.flat();
    await waitForStatuses(
      db,
      all.map((a) => a.txn.transactionId),
      [S.DELIVERED],
    );

    // Each cardholder got exactly one SMS, at their own number.
    for (const { contact } of all) expect(await receivedBy(stack, contact.phoneNumber)).toHaveLength(1);

    // The walk finishes with nothing left on k1 in any of its tables (alerts, contacts, replies).
    await waitFor('a clean key walk of the three tables', async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM data_key_walks
         WHERE current_key = 'k2' AND finished_at IS NOT NULL AND changed = 0 AND unreadable = 0`,
      );
      return rows[0].n === 3;
    });
    const { rows: keys } = await db.query(
      `SELECT 'alerts ' || COALESCE(data_key_id, 'none') AS k, count(*)::int AS n FROM notifications GROUP BY 1
       UNION ALL SELECT 'contacts ' || COALESCE(data_key_id, 'none'), count(*)::int FROM contacts GROUP BY 1
       ORDER BY 1`,
    );
    expect(keys).toEqual([
      { k: 'alerts k2', n: all.length },
      { k: 'alerts none', n: 1 },
      { k: 'contacts k2', n: everyone.length },
    ]);

    // The old alert was purged; support and supervisors are told so in words.
    const found = await api(
      stack,
      `/v1/notifications?transactionId=${expired.transactionId}`,
      SUPERVISOR_KEY,
    );
    expect(found.body.items).toEqual([
      expect.objectContaining({
        status: S.DELIVERED,
        phone: null,
        text: null,
        purged: true,
        purgedNotice: expect.stringContaining('personal data purged after the retention period'),
      }),
    ]);
    // A supervisor still sees the live alerts' numbers, opened from k2.
    const live = await api(
      stack,
      `/v1/notifications?transactionId=${all[0].txn.transactionId}`,
      SUPERVISOR_KEY,
    );
    expect(live.body.items[0]).toMatchObject({ phone: all[0].contact.phoneNumber, purged: false });

    // No plain number anywhere: every text, json, array and bytea column of every table.
    const numbers = [...everyone, old].map((c) => c.phoneNumber);
    expect(await scanForNeedles(db, [...numbers, ...numbers.map((n) => n.slice(1))])).toEqual([]);
  });
});
