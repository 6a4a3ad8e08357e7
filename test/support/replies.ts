import type { Pool } from 'pg';
import { waitFor } from '../../src/devstack/wait-for';

export interface StoredReply {
  id: string;
  provider: string;
  phone_e164: string;
  text: string;
  classification: string;
  keyword: string | null;
  notification_id: string | null;
  alert_sent_at: Date | null;
  received_at: Date;
}

/** The replies stored from this number, oldest first. */
export async function repliesFrom(db: Pool, phone: string): Promise<StoredReply[]> {
  const { rows } = await db.query<StoredReply>(
    `SELECT id, provider, phone_e164, text, classification, keyword, notification_id, alert_sent_at, received_at
     FROM replies WHERE phone_e164 = $1 ORDER BY received_at, id`,
    [phone],
  );
  return rows;
}

/** Waits until `count` replies from this number are stored; returns them. */
export async function waitForReplies(db: Pool, phone: string, count = 1, timeoutMs = 30000) {
  return waitFor(
    `${count} replies from ${phone}`,
    async () => {
      const rows = await repliesFrom(db, phone);
      return rows.length >= count && rows;
    },
    timeoutMs,
  );
}
