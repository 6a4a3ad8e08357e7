import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '../database/database.service';
import { NotificationRow } from '../notifications/notification.types';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { LeaseLostError } from '../queue/queue.errors';

/**
 * Every write for a claimed alert is fenced by the claim's lease generation: once another dispatcher has
 * claimed the alert, this one's writes are refused with LeaseLostError and nothing of them is kept.
 */
@Injectable()
export class LeaseFence {
  constructor(
    private readonly db: Database,
    private readonly notifications: NotificationsRepository,
  ) {}

  /**
   * Runs `write` in a transaction only while the claim in `n` stands. `movedOnToo`: also when another
   * claim already ended the alert (an SMS that really went out must still be recorded).
   */
  run(n: NotificationRow, movedOnToo: boolean, write: (tx: Queryable) => Promise<void>): Promise<void> {
    return this.db.transaction(async (tx) => {
      const standing = await this.notifications.lockLease(n.id, n.lease_generation, tx);
      if (standing !== 'held' && !(movedOnToo && standing === 'moved-on')) {
        throw new LeaseLostError(n.id, n.lease_generation);
      }
      await write(tx);
    });
  }
}
