import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '../database/database.service';
import { EventRow, NewEvent } from './notification.types';

@Injectable()
export class EventsRepository {
  constructor(private readonly db: Database) {}

  async insertMany(events: NewEvent[], db: Queryable = this.db.pool): Promise<void> {
    if (events.length === 0) return;
    await db.query(
      `INSERT INTO notification_events (notification_id, at, type, status, provider, provider_message_id, error_code, detail)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
      [
        events.map((e) => e.notificationId),
        events.map((e) => e.at),
        events.map((e) => e.type),
        events.map((e) => e.status ?? null),
        events.map((e) => e.provider ?? null),
        events.map((e) => e.providerMessageId ?? null),
        events.map((e) => e.errorCode ?? null),
        events.map((e) => e.detail ?? null),
      ],
    );
  }

  async forNotification(notificationId: string): Promise<EventRow[]> {
    return this.db.query<EventRow>(
      `SELECT * FROM notification_events WHERE notification_id = $1 ORDER BY id`,
      [notificationId],
    );
  }
}
