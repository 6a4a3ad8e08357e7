import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { testDatabaseService } from '../../test/support/db';
import { newNotification } from '../../test/support/notification-fixture';
import { testCipher } from '../crypto/testing/test-cipher';
import type { Database } from '../database/database.service';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { CorrectionKind, renderCorrectionText } from '../rendering/correction-text';
import { CORRECTION_FACTS } from '../rendering/testing/correction-facts';

// The backfill for corrections queued before their row had a template: on rows as the old code wrote them
// (reversals.template = the old 'card_reversed' with an 'action' param), it must give exactly the key and
// params the renderer gives now.
const UP = readFileSync(
  path.join(__dirname, '../database/migrations/1795560000000_correction-templates.sql'),
  'utf8',
).split('-- Down Migration')[0];

describe('correction templates backfill (migration 1795560000000)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await testDatabaseService();
  });
  afterAll(() => db.onModuleDestroy());

  /** A QUEUED correction as the old code left it: no template on its row, the old one on its reversal. */
  async function oldCorrection(kind: CorrectionKind, amountMinor: number, inAll: number, locale: string) {
    const now = renderCorrectionText({
      ...CORRECTION_FACTS,
      kind,
      amountMinor,
      reversedInAllMinor: inAll,
      locale,
    });
    const p = Object.fromEntries(now.template.params.map((x) => [x.name, x.value]));
    const old = {
      key: 'card_reversed',
      locale: now.locale,
      params: ['card', 'time', 'merchant', 'amount', 'reversed', 'total', 'action', 'phone'].map((name) => ({
        name,
        value:
          name === 'action'
            ? 'x'
            : (p[name] ?? (name === 'reversed' || name === 'total' ? p.amount : undefined)),
      })),
    };
    const id = randomUUID();
    await db.transaction((tx) =>
      new NotificationsRepository(db, testCipher()).insertMany([newNotification({ id })], tx),
    );
    await db.query(`UPDATE notifications SET kind = 'CORRECTION' WHERE id = $1`, [id]);
    await db.query(
      `INSERT INTO reversals (reversal_id, event_id, transaction_id, cardholder_id, card_id, card_last4, kind,
         amount_minor, currency, merchant_name, reversed_at, received_at, state, notification_id, template)
       VALUES ($1, $1, 'txn', 'ch', 'card', '4242', $2, $3, 'CNY', 'Starbucks', now(), now(), 'QUEUED', $4, $5)`,
      [`rev-${id}`, kind, amountMinor, id, JSON.stringify(old)],
    );
    return { id, expected: now.template };
  }

  it('gives each old correction the key and params the renderer gives now', async () => {
    const rows = [
      await oldCorrection('REVERSAL', 12800, 12800, 'zh-CN'),
      await oldCorrection('PARTIAL_REFUND', 3000, 5000, 'zh-CN'),
      await oldCorrection('REFUND', 12800, 12800, 'en'),
      await oldCorrection('PARTIAL_REVERSAL', 7800, 12800, 'en'),
    ];
    await db.query(UP);
    for (const { id, expected } of rows) {
      const [row] = await db.query<{ template_key: string; template_params: unknown }>(
        `SELECT template_key, template_params FROM notifications WHERE id = $1`,
        [id],
      );
      expect({ key: row.template_key, params: row.template_params }).toEqual({
        key: expected.key,
        params: expected.params,
      });
    }
  });
});
