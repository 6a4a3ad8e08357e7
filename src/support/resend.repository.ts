import { Injectable } from '@nestjs/common';
import type { Sealed } from '../crypto/data-cipher';
import { Queryable } from '../database/database.service';
import { idMonth } from '../notifications/alert-id';
import { NotificationStatus } from '../notifications/notification-status';
import { NotificationRow } from '../notifications/notification.types';

export interface ResendTo {
  /** The contact's current number and the alert's text, sealed. */
  sealed: Sealed;
  contactVersion: number;
  deadlineAt: Date;
  now: Date;
}

/**
 * The SQL of a supervisor resend: the one sanctioned backward move of an alert's status. Both statements
 * name the alert's month partition (alert-id.ts), as the send path's do.
 */
@Injectable()
export class ResendRepository {
  /** Holds the alert for the rest of the transaction, so a receipt or a second resend waits for this one. */
  async lock(id: string, db: Queryable): Promise<NotificationRow | null> {
    const { rows } = await db.query<NotificationRow>(
      `SELECT * FROM notifications WHERE id = $1 AND ($2::date IS NULL OR created_month = $2::date) FOR UPDATE`,
      [id, idMonth(id)],
    );
    return rows[0] ?? null;
  }

  /**
   * Back to QUEUED from one of `from`, towards the contact's current number with a new deadline. What the
   * previous round left on the row (provider, message id, error, overdue flag, final time) is cleared: the
   * attempts and the timeline keep that history, and the row describes the round in progress.
   */
  async requeueForResend(
    id: string,
    from: readonly NotificationStatus[],
    to: ResendTo,
    db: Queryable,
  ): Promise<NotificationRow | null> {
    const { rows } = await db.query<NotificationRow>(
      `UPDATE notifications SET status = 'QUEUED', phone_e164 = NULL, body = NULL, data_key_id = $3,
              wrapped_key = $7, phone_enc = $8, body_enc = $9, template_params = NULL,
              template_params_enc = $11, contact_version = $4, deadline_at = $5,
              provider = NULL, provider_message_id = NULL, last_error_code = NULL, last_error_detail = NULL,
              overdue = false, lease_until = NULL, accepted_at = NULL, final_at = NULL, status_checked_at = NULL,
              updated_at = $6
       WHERE id = $1 AND status = ANY($2) AND ($10::date IS NULL OR created_month = $10::date)
       RETURNING *`,
      [
        id,
        from,
        to.sealed.keyId,
        to.contactVersion,
        to.deadlineAt,
        to.now,
        to.sealed.wrappedKey,
        to.sealed.phone,
        to.sealed.body,
        idMonth(id),
        to.sealed.params,
      ],
    );
    return rows[0] ?? null;
  }
}
