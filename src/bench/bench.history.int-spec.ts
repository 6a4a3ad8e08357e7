import { scratchDatabase } from '../../test/support/scratch-db';
import { testCipher } from '../crypto/testing/test-cipher';
import { fillHistory, HISTORY_MONTHS, historyBody, historyPhone } from './bench.history';

const ALERTS = 1200;
const HOLDERS = 7;
const DAYS = 30;

interface Row {
  id: string;
  transaction_id: string;
  cardholder_id: string;
  received_at: Date;
  purged_at: Date | null;
  phone_e164: string | null;
  body: string | null;
  data_key_id: string | null;
  wrapped_key: Buffer | null;
  phone_enc: Buffer | null;
  body_enc: Buffer | null;
}

// bench --history N: the past alerts are as a live database holds them: purged past the personal data
// retention, sealed (and openable with the stack's keys) within it, never plain.
describe('bench --history fill', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  const cipher = testCipher({ DATA_KEYS: `h1:${Buffer.alloc(32, 4).toString('base64')}` });
  let rows: Row[];

  beforeAll(async () => {
    scratch = await scratchDatabase();
    const fill = await fillHistory(
      scratch.pool,
      ALERTS,
      HOLDERS,
      { cipher, personalDataDays: DAYS },
      () => {},
    );
    expect(fill).toMatchObject({ alerts: ALERTS, months: HISTORY_MONTHS });
    rows = (
      await scratch.pool.query<Row>(
        `SELECT id, transaction_id, cardholder_id, received_at, purged_at, phone_e164, body, data_key_id,
                wrapped_key, phone_enc, body_enc
         FROM notifications`,
      )
    ).rows;
    expect(fill.sealed).toBe(rows.filter((r) => r.purged_at === null).length);
  });
  afterAll(async () => scratch.drop());

  it('seals the alerts within the retention so the code opens each to its own number and text', () => {
    expect(rows).toHaveLength(ALERTS);
    expect(rows.filter((r) => r.phone_e164 !== null || r.body !== null)).toEqual([]);
    const cutoff = Date.now() - DAYS * 86_400_000;
    const recent = rows.filter((r) => r.received_at.getTime() >= cutoff + 60_000);
    expect(recent.length).toBeGreaterThan(0);
    for (const r of recent) {
      const i = Number(r.transaction_id.replace('hist-', ''));
      const holder = Number(r.cardholder_id.replace('ch-', ''));
      expect(r).toMatchObject({ purged_at: null, data_key_id: 'h1' });
      expect(cipher.open('notifications', r.id, r)).toEqual({
        phone: historyPhone(holder),
        body: historyBody(i, holder),
      });
    }
  });

  it('leaves the older alerts purged: no number, no text, no data key, purged when they fell due', () => {
    const old = rows.filter((r) => r.purged_at !== null);
    expect(old.length).toBeGreaterThan(ALERTS / 2);
    for (const r of old) {
      expect(r).toMatchObject({ data_key_id: null, wrapped_key: null, phone_enc: null, body_enc: null });
      expect(r.purged_at!.getTime() - r.received_at.getTime()).toBe(DAYS * 86_400_000);
    }
  });

  it('records the key walk as done under the current key, as after a finished rotation', async () => {
    const { rows: walks } = await scratch.pool.query<{ current_key: string; finished: boolean }>(
      `SELECT current_key, finished_at IS NOT NULL AND changed = 0 AND unreadable = 0 AS finished
       FROM data_key_walks WHERE target = 'notifications'`,
    );
    expect(walks).toEqual([{ current_key: 'h1', finished: true }]);
  });
});
