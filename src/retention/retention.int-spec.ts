import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { newNotification } from '../../test/support/notification-fixture';
import { indexHits, scanForNeedles, testPhone } from '../../test/support/personal-data-scan';
import { scratchDatabase } from '../../test/support/scratch-db';
import { claimedAttempt, SendPath, sendPathOn } from '../../test/support/send-path';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { ContactsRepository } from '../contacts/contacts.repository';
import { besidePlace } from '../crypto/data-cipher';
import { testCipher } from '../crypto/testing/test-cipher';
import { Database } from '../database/database.service';
import { Metrics } from '../metrics/metrics.service';
import { NotificationStatus as S } from '../notifications/notification-status';
import { ReconciliationRepository } from '../reconciliation/reconciliation.repository';
import { ReconciliationService } from '../reconciliation/reconciliation.service';
import { KeyWalk } from './key-walk';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

const DAY_MS = 86_400_000;
const merchantOf = (body: string) => `MERCHANT OF ${body}`;
const silent = pino({ level: 'silent' });

// Its own database: the purge acts on every old alert it can see, other specs' too.
describe('retention purge (real PostgreSQL)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let path: SendPath;
  let config: AppConfig;
  const cipher = testCipher();
  let service: RetentionService;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    config = AppConfig.fromEnv(
      {
        DATABASE_URL: scratch.url,
        PERSONAL_DATA_RETENTION_DAYS: '1',
        RETENTION_BATCH_SIZE: '40',
      },
      [],
    );
    const metrics = new Metrics();
    const db = new Database(AppConfig.fromEnv({ DATABASE_URL: scratch.url, DATABASE_POOL_MAX: '4' }, []));
    path = { ...sendPathOn(db, metrics), db, metrics };
    const repository = new RetentionRepository(path.db);
    const walk = new KeyWalk(config, new Clock(), cipher, repository, silent);
    service = new RetentionService(config, new Clock(), repository, walk, silent);
  });
  afterAll(async () => {
    await path?.db.onModuleDestroy();
    await scratch?.drop();
  });

  /** `count` alerts received `daysAgo`, to `phone`, moved to `status` with texts that quote the number. */
  async function alerts(count: number, daysAgo: number, status: S, phone: string, body: string) {
    const at = new Date(Date.now() - daysAgo * DAY_MS);
    // Templated, as ingest renders every alert: the params are message content (the merchant).
    const rows = Array.from({ length: count }, () =>
      newNotification({
        receivedAt: at,
        authorisedAt: at,
        phoneE164: phone,
        body,
        cardholderId: `ch-${randomUUID()}`,
        templateKey: 'card_authorised',
        templateParams: [{ name: 'merchant', value: merchantOf(body) }],
      }),
    );
    await path.db.transaction((tx) => path.notifications.insertMany(rows, tx));
    const ids = rows.map((r) => r.id);
    const quoted = `The 'To' number ${phone} is not a valid phone number.`;
    await path.db.pool.query(
      `UPDATE notifications SET status = $2, last_error_detail = $3,
              final_at = CASE WHEN $2 IN ('DELIVERED', 'FAILED') THEN received_at END
       WHERE id = ANY($1)`,
      [ids, status, quoted],
    );
    await path.db.pool.query(
      `INSERT INTO delivery_attempts (id, notification_id, attempt_no, provider, status, error_code, error_detail, started_at)
       SELECT gen_random_uuid(), id, 1, 'twilio', 'REJECTED', '21211', $2, received_at FROM notifications WHERE id = ANY($1)`,
      [ids, quoted],
    );
    await path.db.pool.query(
      `INSERT INTO notification_events (notification_id, at, type, status, provider, error_code, detail)
       SELECT id, received_at, 'FAILOVER', NULL, 'vonage', '21211', $2 FROM notifications WHERE id = ANY($1)`,
      [ids, `twilio 21211: ${quoted}`],
    );
    return rows;
  }

  it('removes number, text and error texts of final alerts past the retention while sends go on', async () => {
    const phone = testPhone();
    const body = `Card ending 1234 used at PURGE TEST ${randomUUID()}`;
    const old = await alerts(300, 3, S.DELIVERED, phone, body);
    const pending = await alerts(1, 3, S.SENT, phone, body);
    const recent = await alerts(2, 0, S.DELIVERED, phone, body);
    // One written before encryption at rest: plain number and text, no key.
    const legacy = await alerts(1, 3, S.FAILED, phone, body);
    await path.db.pool.query(
      `UPDATE notifications SET phone_e164 = $2, body = $3, phone_enc = NULL, body_enc = NULL, wrapped_key = NULL,
              data_key_id = NULL WHERE id = $1`,
      [legacy[0].id, phone, body],
    );
    // What belongs to an alert elsewhere: a template vendor's handset text on a second attempt, and a
    // correction's template on a reversal; sealed under the alert's key, or plain on the legacy alert.
    const handset = `【Sign】${body}`;
    const besides = await sealBeside([...old.slice(0, 3), ...recent.slice(0, 1)], handset);
    await path.db.pool.query(
      `INSERT INTO delivery_attempts (id, notification_id, attempt_no, provider, status, handset_text, started_at)
       VALUES (gen_random_uuid(), $1, 2, 'aliyun', 'ACCEPTED', $2, now())`,
      [legacy[0].id, handset],
    );
    await path.db.pool.query(`UPDATE notifications SET template_params = $2 WHERE id = $1`, [
      legacy[0].id,
      JSON.stringify([{ name: 'merchant', value: merchantOf(body) }]),
    ]);
    await reversal(legacy[0].id, { template: JSON.stringify({ merchant: merchantOf(body) }) });
    const { rows: sealedBefore } = await path.db.pool.query<{
      phone_enc: Buffer;
      body_enc: Buffer;
      wrapped_key: Buffer;
      template_params_enc: Buffer;
    }>(`SELECT phone_enc, body_enc, wrapped_key, template_params_enc FROM notifications WHERE id = ANY($1)`, [
      old.slice(0, 3).map((r) => r.id),
    ]);
    const historyBefore = await eventCount(old.map((r) => r.id));

    // The send path keeps claiming, attempting and recording SENT for new alerts while the purge runs.
    let purging = true;
    const sent: string[] = [];
    const sender = (async () => {
      while (purging || sent.length < 20) {
        const { id, claimed, attempt } = await claimedAttempt(path, 'twilio');
        await path.recorder.accepted(
          claimed,
          attempt,
          { messageId: `SM${randomUUID()}`, segments: 1 },
          new Date(),
        );
        sent.push(id);
      }
    })();
    const report = await service.purge().finally(() => {
      purging = false;
    });
    await sender;

    expect(report.purged).toBe(301);
    expect(report.heldBack).toBe(1);
    const { rows: sentRows } = await path.db.pool.query<{ status: string; purged_at: Date | null }>(
      `SELECT status, purged_at FROM notifications WHERE id = ANY($1)`,
      [sent],
    );
    expect(sentRows.map((r) => [r.status, r.purged_at])).toEqual(sent.map(() => [S.SENT, null]));

    const purged = [...old, ...legacy].map((r) => r.id);
    const { rows } = await path.db.pool.query(
      `SELECT count(*)::int AS n FROM notifications
       WHERE id = ANY($1) AND purged_at IS NOT NULL AND phone_e164 IS NULL AND body IS NULL AND phone_enc IS NULL
         AND body_enc IS NULL AND wrapped_key IS NULL AND data_key_id IS NULL AND last_error_detail IS NULL`,
      [purged],
    );
    expect(rows[0].n).toBe(purged.length);
    // The history stays, without texts.
    expect(await eventCount(old.map((r) => r.id))).toBe(historyBefore);
    const { rows: texts } = await path.db.pool.query(
      `SELECT (SELECT count(*)::int FROM notification_events WHERE notification_id = ANY($1) AND detail IS NOT NULL) AS events,
              (SELECT count(*)::int FROM delivery_attempts WHERE notification_id = ANY($1) AND error_detail IS NOT NULL) AS attempts`,
      [purged],
    );
    expect(texts[0]).toEqual({ events: 0, attempts: 0 });

    // Not final, or within the retention: kept, and still opens to the right number.
    for (const kept of [...pending, ...recent]) {
      const row = (await path.notifications.findById(kept.id))!;
      expect(row.purged_at).toBeNull();
      const params = JSON.stringify([{ name: 'merchant', value: merchantOf(body) }]);
      expect(cipher.open('notifications', row.id, row)).toEqual({ phone, body, params });
    }
    const keptBeside = await path.db.pool.query<{ id: string; handset_text_enc: Buffer }>(
      `SELECT id, handset_text_enc FROM delivery_attempts WHERE notification_id = $1 AND attempt_no = 2`,
      [recent[0].id],
    );
    const keptRow = (await path.notifications.findById(recent[0].id))!;
    expect(
      cipher.openBeside(
        keptRow,
        besidePlace.handsetText(keptBeside.rows[0].id),
        keptBeside.rows[0].handset_text_enc,
      ),
    ).toBe(handset);
    await path.db.pool.query(`DELETE FROM reversals WHERE notification_id = $1`, [recent[0].id]);
    await path.db.pool.query(`DELETE FROM delivery_attempts WHERE notification_id = ANY($1)`, [
      [...pending, ...recent].map((r) => r.id),
    ]);
    await path.db.pool.query(`UPDATE notifications SET last_error_detail = NULL WHERE id = ANY($1)`, [
      [...pending, ...recent].map((r) => r.id),
    ]);
    await path.db.pool.query(
      `DELETE FROM notification_events WHERE notification_id = ANY($1) AND type = 'FAILOVER'`,
      [[...pending, ...recent].map((r) => r.id)],
    );

    // Nowhere in the database: not as text in any column, not in any index, not the sealed forms either.
    const needles: Array<string | Buffer> = [phone, body, phone.slice(1)];
    needles.push(merchantOf(body), handset, ...besides.old);
    for (const s of sealedBefore) needles.push(s.phone_enc, s.body_enc, s.wrapped_key, s.template_params_enc);
    expect(await scanForNeedles(path.db.pool, needles)).toEqual([]);
    expect(await indexHits(path.db.pool, [phone])).toEqual([]);

    // Reconciliation still reports on them.
    const reconciliation = new ReconciliationService(
      config,
      new Clock(),
      path.db,
      new ReconciliationRepository(),
    );
    const from = new Date(Date.now() - 4 * DAY_MS);
    const result = await reconciliation.reconcile(
      () => old.map((r) => r.transactionId),
      { from, to: new Date(Date.now() - 2 * DAY_MS) },
      0,
    );
    expect({ delivered: result.delivered.count, noAlert: result.noAlert.count }).toEqual({
      delivered: old.length,
      noAlert: 0,
    });
  });

  it('takes a deleted contact’s number at once', async () => {
    const contacts = new ContactsRepository(path.db, cipher);
    const id = `ch-${randomUUID()}`;
    const phone = testPhone();
    const upsert = {
      cardholderId: id,
      version: 1,
      deleted: false,
      phoneE164: phone,
      phoneInvalidReason: null,
    };
    await contacts.upsertMany([{ ...upsert, smsAlerts: true, locale: 'en', minAmountMinor: null }]);
    expect((await contacts.findMany([id])).get(id)?.phone_e164).toBe(phone);
    await contacts.markDeleted([id]);
    const { rows } = await path.db.pool.query(
      `SELECT deleted, phone_e164, phone_enc, phone_hash, wrapped_key, data_key_id FROM contacts WHERE cardholder_id = $1`,
      [id],
    );
    expect(rows).toEqual([
      {
        deleted: true,
        phone_e164: null,
        phone_enc: null,
        phone_hash: null,
        wrapped_key: null,
        data_key_id: null,
      },
    ]);
  });

  /** A second (template vendor's) attempt with the handset's text and a reversal's template per alert, sealed. */
  async function sealBeside(rows: Array<{ id: string }>, text: string): Promise<{ old: Buffer[] }> {
    const sealed: Buffer[] = [];
    for (const { id } of rows) {
      const alert = (await path.notifications.findById(id))!;
      const attemptId = randomUUID();
      const enc = cipher.sealBeside(alert, besidePlace.handsetText(attemptId), text);
      await path.db.pool.query(
        `INSERT INTO delivery_attempts (id, notification_id, attempt_no, provider, status, handset_text_enc, started_at)
         VALUES ($1, $2, 2, 'aliyun', 'ACCEPTED', $3, $4)`,
        [attemptId, id, enc, alert.received_at],
      );
      const reversalId = `rev-${randomUUID()}`;
      const template = cipher.sealBeside(alert, besidePlace.reversalTemplate(reversalId), text);
      await reversal(id, { template_enc: template, reversal_id: reversalId });
      sealed.push(enc, template);
    }
    return { old: sealed };
  }

  async function reversal(notificationId: string, over: Record<string, unknown>): Promise<void> {
    const columns = { reversal_id: `rev-${randomUUID()}`, ...over };
    const names = Object.keys(columns);
    await path.db.pool.query(
      `INSERT INTO reversals (event_id, transaction_id, cardholder_id, card_id, card_last4, kind, amount_minor,
         currency, merchant_name, reversed_at, received_at, state, notification_id, ${names.join(', ')})
       VALUES ('e-rev', 'tx-rev', 'ch-rev', 'card', '1234', 'REVERSAL', 1, 'GBP', 'M', now(), now(), 'QUEUED',
               $1, ${names.map((_, i) => `$${i + 2}`).join(', ')})`,
      [notificationId, ...Object.values(columns)],
    );
  }

  async function eventCount(ids: string[]): Promise<number> {
    const { rows } = await path.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notification_events WHERE notification_id = ANY($1)`,
      [ids],
    );
    return rows[0].n;
  }
});
