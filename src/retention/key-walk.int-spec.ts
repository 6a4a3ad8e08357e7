import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { newNotification } from '../../test/support/notification-fixture';
import { scanForNeedles, testPhone } from '../../test/support/personal-data-scan';
import { scratchDatabase } from '../../test/support/scratch-db';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { ContactsRepository } from '../contacts/contacts.repository';
import { DataCipher } from '../crypto/data-cipher';
import { Database } from '../database/database.service';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { RepliesRepository } from '../replies/replies.repository';
import { KeyWalk, WalkReport } from './key-walk';
import { RetentionRepository } from './retention.repository';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const OLD = { DATA_KEYS: `k1:${key(1)}` };
const ROTATED = { DATA_KEYS: `k1:${key(1)},k2:${key(2)}`, DATA_KEY_CURRENT: 'k2' };
const RETIRED = { DATA_KEYS: `k2:${key(2)}` };
const silent = pino({ level: 'silent' });

// Its own database: the walk visits every row it can see, and other specs' rows are under the demo key.
describe('key rotation: the re-wrap walk under writes and sends (real PostgreSQL)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let db: Database;
  const on = (env: Record<string, string>) => {
    const config = AppConfig.fromEnv({ ...env, DATABASE_URL: scratch.url, RETENTION_BATCH_SIZE: '25' }, []);
    const cipher = new DataCipher(config);
    return {
      cipher,
      alerts: new NotificationsRepository(db, cipher),
      contacts: new ContactsRepository(db, cipher),
      replies: new RepliesRepository(db, cipher),
      walk: new KeyWalk(
        config,
        new Clock(),
        cipher,
        new RetentionRepository(db),
        silent,
        new RepliesRepository(db, cipher),
      ),
    };
  };

  beforeAll(async () => {
    scratch = await scratchDatabase();
    db = new Database(AppConfig.fromEnv({ DATABASE_URL: scratch.url, DATABASE_POOL_MAX: '6' }, []));
  });
  afterAll(async () => {
    await db?.onModuleDestroy();
    await scratch?.drop();
  });

  it('moves every row to the new key while alerts are written and opened, then reports k1 retirable', async () => {
    const before = on(OLD);
    const during = on(ROTATED);
    const expected = new Map<string, string>();
    const write = async (via: ReturnType<typeof on>, n: number) => {
      const rows = Array.from({ length: n }, () => {
        const phone = testPhone();
        const row = newNotification({
          phoneE164: phone,
          body: `text for ${phone}`,
          cardholderId: randomUUID(),
        });
        expected.set(row.id, phone);
        return row;
      });
      await db.transaction((tx) => via.alerts.insertMany(rows, tx));
      await via.contacts.upsertMany(
        rows.map((r) => ({
          cardholderId: r.cardholderId,
          version: 1,
          deleted: false,
          phoneE164: r.phoneE164,
          phoneInvalidReason: null,
          smsAlerts: true,
          locale: 'en',
          minAmountMinor: null,
        })),
      );
      return rows;
    };
    await write(before, 400);
    // Cardholders' replies, sealed under k1 like the alerts (their numbers are the alerts' numbers).
    const replied = [...expected.values()].slice(0, 30);
    for (const [i, phone] of replied.entries()) {
      await before.replies.record({
        provider: 'twilio',
        providerMessageId: `SM-walk-${i}`,
        from: phone,
        to: '+15005550006',
        text: `reply from ${phone}`,
        classification: 'OTHER',
        keyword: null,
        receivedAt: new Date(),
        linkSince: new Date(Date.now() - 3_600_000),
      });
    }
    // Rows from before encryption at rest: plain, no key.
    const legacy = await write(before, 20);
    await db.pool.query(
      `UPDATE notifications SET phone_e164 = $2, body = 'legacy text', phone_enc = NULL, body_enc = NULL,
              wrapped_key = NULL, data_key_id = NULL WHERE id = $1`,
      [legacy[0].id, expected.get(legacy[0].id)],
    );
    await db.pool.query(
      `UPDATE contacts SET phone_e164 = $2, phone_enc = NULL, phone_hash = NULL, wrapped_key = NULL,
              data_key_id = NULL WHERE cardholder_id = $1`,
      [legacy[0].cardholderId, expected.get(legacy[0].id)],
    );

    // Rotation: processes still on k1 and processes on k2 write; senders open whatever they claim.
    let walking = true;
    let opened = 0;
    const traffic = (async () => {
      while (walking) {
        await write(before, 5);
        await write(during, 5);
        const { rows } = await db.pool.query(`SELECT * FROM notifications ORDER BY random() LIMIT 20`);
        for (const row of rows) {
          expect(during.cipher.open('notifications', row.id, row).phone).toBe(expected.get(row.id as string));
          opened++;
        }
      }
    })();
    const reports: WalkReport[] = [];
    try {
      for (let runs = 0; runs < 200; runs++) {
        const report = await during.walk.run('notifications');
        reports.push(report, await during.walk.run('contacts'), await during.walk.run('replies'));
        // Traffic stops once a walk has got through: the next ones must find what k1 writers added since.
        if (report.changed > 0 && runs > 0) walking = false;
        if (!walking && reports.slice(-3).every((r) => r.clean)) break;
      }
    } finally {
      walking = false;
      await traffic;
    }
    expect(opened).toBeGreaterThan(0);
    expect(reports.slice(-3)).toEqual([
      expect.objectContaining({ target: 'notifications', clean: true, retirable: ['k1'], unreadable: 0 }),
      expect.objectContaining({ target: 'contacts', clean: true, retirable: ['k1'], unreadable: 0 }),
      expect.objectContaining({ target: 'replies', clean: true, retirable: ['k1'], unreadable: 0 }),
    ]);
    expect(reports.filter((r) => r.target === 'replies').reduce((n, r) => n + r.changed, 0)).toBe(
      replied.length,
    );
    const { rows: keys } = await db.pool.query(
      `SELECT data_key_id, count(*)::int AS n FROM notifications GROUP BY 1
       UNION ALL SELECT 'contacts:' || data_key_id, count(*)::int FROM contacts GROUP BY 1 ORDER BY 1`,
    );
    expect(keys).toEqual([
      { data_key_id: 'contacts:k2', n: expected.size },
      { data_key_id: 'k2', n: expected.size },
    ]);

    // k1 retired: every alert and contact still opens to its own number.
    const after = on(RETIRED);
    const { rows } = await db.pool.query(`SELECT * FROM notifications`);
    for (const row of rows)
      expect(after.cipher.open('notifications', row.id, row).phone).toBe(expected.get(row.id));
    const contacts = await after.contacts.findMany(rows.map((r) => r.cardholder_id as string));
    for (const row of rows) expect(contacts.get(row.cardholder_id)?.phone_e164).toBe(expected.get(row.id));
    for (const phone of replied) {
      expect((await after.replies.fromNumber(phone)).map((r) => r.text)).toEqual([`reply from ${phone}`]);
    }
    const { rows: replyKeys } = await db.pool.query(`SELECT DISTINCT data_key_id FROM replies`);
    expect(replyKeys).toEqual([{ data_key_id: 'k2' }]);
    expect(await scanForNeedles(db.pool, [...expected.values(), 'legacy text'])).toEqual([]);
  });
});
