import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '../database/database.service';

export interface MessagePart {
  notificationId: string;
  /** The first part's id: the one the alert and its attempt rest on. */
  primaryId: string;
  /** 1-based position of the asked id among the parts. */
  partNo: number;
  parts: number;
}

/** Per-part message ids of multi-part sends (SendResult.partIds), for receipt correlation. */
@Injectable()
export class MessagePartsRepository {
  constructor(private readonly db: Database) {}

  async record(attemptId: string, partIds: string[], db: Queryable): Promise<void> {
    await db.query(`UPDATE delivery_attempts SET part_message_ids = $2 WHERE id = $1`, [attemptId, partIds]);
  }

  async find(provider: string, messageId: string, db: Queryable = this.db.pool): Promise<MessagePart | null> {
    const { rows } = await db.query<{ notification_id: string; part_message_ids: string[] }>(
      `SELECT notification_id, part_message_ids FROM delivery_attempts
       WHERE provider = $1 AND part_message_ids @> ARRAY[$2]::text[] AND part_message_ids IS NOT NULL
       LIMIT 1`,
      [provider, messageId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      notificationId: row.notification_id,
      primaryId: row.part_message_ids[0],
      partNo: row.part_message_ids.indexOf(messageId) + 1,
      parts: row.part_message_ids.length,
    };
  }
}
