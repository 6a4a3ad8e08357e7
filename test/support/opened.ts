import type { Pool } from 'pg';
import { testCipher } from '../../src/crypto/testing/test-cipher';
import type { SealedColumns } from '../../src/crypto/data-cipher';

/**
 * The number and text of stored alerts, opened as the dispatcher opens them (the stacks run on the
 * built-in demo keys unless a spec sets DATA_KEYS): specs compare what was sent with what is stored.
 */
export function openAlert(row: SealedColumns & { id: string }, env: NodeJS.ProcessEnv = {}) {
  const { phone, body } = testCipher(env).open('notifications', row.id, row);
  return { phone_e164: phone, body };
}

/** `phone_e164` and `body` of each alert by transaction id, opened. */
export async function openedAlerts(db: Pool, transactionIds: string[]) {
  const { rows } = await db.query<SealedColumns & { id: string; transaction_id: string }>(
    `SELECT id, transaction_id, data_key_id, wrapped_key, phone_enc, body_enc, phone_e164, body
     FROM notifications WHERE transaction_id = ANY($1)`,
    [transactionIds],
  );
  return rows.map((r) => ({ id: r.id, transactionId: r.transaction_id, ...openAlert(r) }));
}

/** A contact's keyed phone hash, as the contacts repository stores it (to find contacts by number). */
export function phoneHash(phone: string): Buffer {
  return testCipher().phoneHash(phone);
}
