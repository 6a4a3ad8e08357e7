import type { Pool } from 'pg';
import { besidePlace, DataCipher, SealedColumns } from '../../crypto/data-cipher';

// Rows of the columns main's migrations 1795510000000..1795540000000 added, as they wrote them (plain),
// for the partitioning migration's spec: written into the old schema, checked after the migrations and
// the key walk. The spec's alerts are 'mig-tx-<i>' for i < alerts, to +447911123456 with the text 'hello'.
const TEMPLATE_PARAMS = JSON.stringify([{ name: 'merchant', value: 'MIGRATED MERCHANT' }]);
export const LATER_CORRECTION_ID = '00000000-0000-4000-8000-00000000c0c0';
const CORRECTION_ID = LATER_CORRECTION_ID;
const templatedTx = (alerts: number) => ['mig-tx-1', `mig-tx-${alerts - 2}`];

export async function seedLaterSchemaRows(pool: Pool, alerts: number): Promise<void> {
  const TEMPLATED = templatedTx(alerts);
  // What main's later migrations (1795510000000..1795540000000) added, in plain as they wrote it: a
  // templated alert with the handset's text on its attempt (one recent, one past the retention), and a
  // correction of alert 2 with its reversal's template.
  const later: Array<[string, unknown[]]> = [
    [
      `UPDATE notifications SET template_key = 'card_authorised', template_params = $1::jsonb
       WHERE transaction_id = ANY($2)`,
      [TEMPLATE_PARAMS, TEMPLATED],
    ],
    [
      `UPDATE delivery_attempts a SET handset_text = '【Sign】' || n.body
       FROM notifications n WHERE a.notification_id = n.id AND n.transaction_id = ANY($1)`,
      [TEMPLATED],
    ],
    [
      `INSERT INTO notifications (id, transaction_id, event_id, cardholder_id, card_id, card_last4, amount_minor,
       currency, merchant_name, authorised_at, received_at, status, phone_e164, body, kind,
       original_notification_id, final_at, updated_at)
     SELECT $1::uuid, 'correction:' || $1, 'e-rev', cardholder_id, card_id, card_last4, 50, currency, merchant_name,
            received_at, received_at, 'DELIVERED', phone_e164, 'reversed', 'CORRECTION', id, received_at, received_at
     FROM notifications WHERE transaction_id = 'mig-tx-2'`,
      [CORRECTION_ID],
    ],
    [
      `INSERT INTO reversals (reversal_id, event_id, transaction_id, cardholder_id, card_id, card_last4, kind,
       amount_minor, currency, merchant_name, reversed_at, received_at, state, notification_id, template)
     SELECT 'mig-rev', 'e-rev', 'mig-tx-2', cardholder_id, card_id, card_last4, 'REVERSAL', 50, currency,
            merchant_name, received_at, received_at, 'QUEUED', $2::uuid, $1::jsonb
     FROM notifications WHERE transaction_id = 'mig-tx-2'`,
      [TEMPLATE_PARAMS, CORRECTION_ID],
    ],
  ];
  for (const [sql, params] of later) await pool.query(sql, params);
}

/** Sealed by the key walk under each alert's data key, and open to what was stored in plain. */
export async function expectLaterColumnsSealed(
  pool: Pool,
  cipher: DataCipher,
  alerts: number,
): Promise<void> {
  const TEMPLATED = templatedTx(alerts);
  // main's later columns: the template params, the handset's text and the reversal's template are sealed
  // by the same walk, under the alert's data key, and open to what was stored in plain.
  const { rows: plain } = await pool.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM notifications WHERE template_params IS NOT NULL)
          + (SELECT count(*) FROM delivery_attempts WHERE handset_text IS NOT NULL)
          + (SELECT count(*) FROM reversals WHERE template IS NOT NULL) AS n`,
  );
  expect(Number(plain[0].n)).toBe(0);
  const { rows: templated } = await pool.query<
    SealedColumns & { id: string; attempt_id: string; handset_text_enc: Buffer }
  >(
    `SELECT n.id, n.data_key_id, n.wrapped_key, n.phone_enc, n.body_enc, n.phone_e164, n.body,
            n.template_params_enc, a.id AS attempt_id, a.handset_text_enc
     FROM notifications n JOIN delivery_attempts a ON a.notification_id = n.id
     WHERE n.transaction_id = ANY($1) ORDER BY n.received_at DESC`,
    [TEMPLATED],
  );
  for (const r of templated) {
    expect(cipher.open('notifications', r.id, r).params).toBe(TEMPLATE_PARAMS);
    expect(cipher.openBeside(r, besidePlace.handsetText(r.attempt_id), r.handset_text_enc)).toBe(
      '【Sign】hello',
    );
  }
  const { rows: correction } = await pool.query<SealedColumns & { id: string; template_enc: Buffer }>(
    `SELECT n.id, n.data_key_id, n.wrapped_key, n.phone_enc, n.body_enc, n.phone_e164, n.body, r.template_enc
     FROM reversals r JOIN notifications n ON n.id = r.notification_id WHERE r.reversal_id = 'mig-rev'`,
  );
  expect(cipher.open('notifications', correction[0].id, correction[0]).body).toBe('reversed');
  expect(
    JSON.parse(
      cipher.openBeside(correction[0], besidePlace.reversalTemplate('mig-rev'), correction[0].template_enc),
    ),
  ).toEqual(JSON.parse(TEMPLATE_PARAMS));
}
