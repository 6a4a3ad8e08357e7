import { Pool } from 'pg';
import type { SealedColumns } from '../../src/crypto/data-cipher';
import { openAlert } from './opened';
import { waitFor } from '../../src/devstack/wait-for';

export interface ReversalState {
  reversal_id: string;
  state: string;
  reason: string | null;
  notification_id: string;
  status: string;
  skip_reason: string | null;
  body: string | null;
  original_notification_id: string | null;
}

/** Each reversal's state and its correction alert, by reversalId. */
export async function reversalStates(db: Pool, reversalIds: string[]): Promise<Map<string, ReversalState>> {
  const { rows } = await db.query<ReversalState & SealedColumns & { id: string }>(
    `SELECT r.reversal_id, r.state, r.reason, r.notification_id, n.status, n.skip_reason, n.body, n.id,
            n.data_key_id, n.wrapped_key, n.phone_enc, n.body_enc, n.phone_e164, n.original_notification_id
     FROM reversals r JOIN notifications n ON n.id = r.notification_id WHERE r.reversal_id = ANY($1)`,
    [reversalIds],
  );
  // The correction's text as the dispatcher opens it (sealed at rest).
  return new Map(rows.map((r) => [r.reversal_id, { ...r, body: openAlert(r).body }]));
}

/** Waits until every reversal's correction alert is in one of `statuses`; returns them. */
export async function waitForCorrections(
  db: Pool,
  reversalIds: string[],
  statuses: string[],
  timeoutMs = 60000,
): Promise<Map<string, ReversalState>> {
  let last = new Map<string, ReversalState>();
  try {
    return await waitFor(
      `${reversalIds.length} corrections to be ${statuses.join(' or ')}`,
      async () => {
        last = await reversalStates(db, reversalIds);
        return reversalIds.every((id) => statuses.includes(last.get(id)?.status ?? 'missing'))
          ? last
          : undefined;
      },
      timeoutMs,
      200,
    );
  } catch (err) {
    const seen = reversalIds.map(
      (id) => `${id}=${last.get(id)?.status ?? 'missing'}/${last.get(id)?.state ?? ''}`,
    );
    throw new Error(`${(err as Error).message}; ${seen.join(', ')}`);
  }
}
