import { Pool } from 'pg';

export type Seeded = Awaited<ReturnType<typeof seedReconciliation>>;

/**
 * 100,000 listed ids: most delivered, some never reached Alertline, some skipped, undelivered, failed,
 * expired, overdue or still in progress; plus alerts in the window the bank did not list.
 */
export async function seedReconciliation(db: Pool, run: string, from: Date) {
  const id = (i: number) => `r${run}-${String(i).padStart(6, '0')}`;
  // Every n-th id gets this status (null: never reached Alertline); the first divisor that fits wins.
  const every: Array<[number, string | null]> = [
    [397, null],
    [211, 'SKIPPED'],
    [307, 'UNDELIVERED'],
    [401, 'FAILED'],
    [409, 'EXPIRED'],
    [419, 'SENT'],
    [421, 'QUEUED'],
  ];
  const pick = (i: number): string | null => {
    const hit = every.find(([n]) => i % n === 0);
    return hit ? hit[1] : 'DELIVERED';
  };
  const reasons = ['NO_CONTACT', 'ALERTS_DISABLED', 'BELOW_THRESHOLD', 'INVALID_PHONE'];
  const list: string[] = [];
  const want: Record<string, string[]> = {};
  const rows: Array<{ tx: string; status: string; reason: string | null; overdue: boolean }> = [];
  for (let i = 1; i <= 100_000; i++) {
    const status = pick(i);
    list.push(id(i));
    const key =
      status === null
        ? 'noAlert'
        : status === 'SENT'
          ? 'overdue'
          : status === 'QUEUED'
            ? 'inProgress'
            : status.toLowerCase();
    (want[key] ??= []).push(id(i));
    const reason = status === 'SKIPPED' ? reasons[i % 4] : null;
    if (reason) (want[`skip:${reason}`] ??= []).push(id(i));
    if (status) rows.push({ tx: id(i), status, reason, overdue: status === 'SENT' });
  }
  for (let i = 100_001; i <= 100_025; i++) {
    rows.push({ tx: id(i), status: 'DELIVERED', reason: null, overdue: false });
    (want.unexpected ??= []).push(id(i));
  }
  for (let i = 0; i < rows.length; i += 10_000) {
    const part = rows.slice(i, i + 10_000);
    await db.query(
      `INSERT INTO notifications (id, transaction_id, event_id, cardholder_id, card_id, card_last4, amount_minor, currency,
         merchant_name, authorised_at, received_at, status, skip_reason, overdue, accepted_at, updated_at)
       SELECT gen_random_uuid(), u.tx, 'e-' || u.tx, 'ch-recon', 'card-recon', '4242', 100, 'GBP', 'SHOP',
              $5::timestamptz + (u.n * interval '1 second'), now(), u.status, u.reason, u.overdue,
              CASE WHEN u.status = 'SENT' THEN now() END, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) WITH ORDINALITY AS u(tx, status, reason, overdue, n)`,
      [
        part.map((r) => r.tx),
        part.map((r) => r.status),
        part.map((r) => r.reason),
        part.map((r) => r.overdue),
        from,
      ],
    );
  }
  return { list, want };
}
