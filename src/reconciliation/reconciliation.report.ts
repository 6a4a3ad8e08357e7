import { NotificationStatus as S } from '../notifications/notification-status';
import { ListedTransaction, ReconciliationWindow } from './reconciliation.repository';

export const CATEGORIES = [
  'noAlert',
  'skipped',
  'failed',
  'expired',
  'undelivered',
  'overdue',
  'delivered',
  'inProgress',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** The exact count, and at most `listLimit` of the transaction ids (from the earliest part of the list). */
export interface IdList {
  count: number;
  transactionIds: string[];
}

export type ReconciliationReport = {
  window: { from: string; to: string };
  /** Ids read from the bank's list, including repeats and invalid ones. */
  listed: number;
  distinct: number;
  duplicates: number;
  /** Longer than the 64 characters a transactionId may have: cannot match any alert, not looked up. */
  invalid: number;
  listLimit: number;
  /** Some list holds fewer ids than its count. */
  truncated: boolean;
  skippedByReason: Record<string, IdList>;
  /** Alerts authorised in the window whose transaction the bank did not list. */
  unexpected: IdList;
  /** Listed, with an alert, but authorised outside the window: a clock or window mismatch worth a look. */
  outsideWindow: IdList;
  /** Reversals dated in the window with no correction on its way, by why (original transactionIds). */
  reversalsWithoutCorrection: Record<string, IdList>;
  elapsedMs: number;
} & Record<Category, IdList>;

/**
 * Where a listed transaction stands. SENT past the receipt SLA is `overdue` even before the sweeper has
 * flagged it, so the command gives the same answer with or without a running dispatcher.
 */
export function categorise(row: ListedTransaction, overdueBefore: Date): Category {
  switch (row.status) {
    case null:
      return 'noAlert';
    case S.SKIPPED:
      return 'skipped';
    case S.FAILED:
      return 'failed';
    case S.EXPIRED:
      return 'expired';
    case S.UNDELIVERED:
      return 'undelivered';
    case S.DELIVERED:
      return 'delivered';
    case S.SENT:
      return row.overdue || (row.accepted_at !== null && row.accepted_at < overdueBefore)
        ? 'overdue'
        : 'inProgress';
    case S.RECEIVED:
    case S.QUEUED:
    case S.SENDING:
      return 'inProgress';
  }
}

const emptyList = (): IdList => ({ count: 0, transactionIds: [] });

/** Accumulates a report in memory bounded by the list limit, whatever the size of the bank's list. */
export class ReportBuilder {
  private readonly lists = Object.fromEntries(CATEGORIES.map((c) => [c, emptyList()])) as Record<
    Category,
    IdList
  >;
  private readonly byReason: Record<string, IdList> = {};
  private readonly outside = emptyList();
  private truncated = false;
  listed = 0;
  invalid = 0;
  private distinct = 0;

  constructor(
    private readonly window: ReconciliationWindow,
    private readonly listLimit: number,
    private readonly overdueBefore: Date,
  ) {}

  add(rows: ListedTransaction[]): void {
    this.distinct += rows.length;
    for (const row of rows) {
      const category = categorise(row, this.overdueBefore);
      this.push(this.lists[category], row.transaction_id);
      if (category === 'skipped')
        this.push((this.byReason[row.skip_reason ?? 'UNKNOWN'] ??= emptyList()), row.transaction_id);
      if (
        row.authorised_at &&
        (row.authorised_at < this.window.from || row.authorised_at >= this.window.to)
      ) {
        this.push(this.outside, row.transaction_id);
      }
    }
  }

  build(
    unexpected: { count: number; ids: string[] },
    elapsedMs: number,
    reversals: Array<{ why: string; count: number; ids: string[] }> = [],
  ): ReconciliationReport {
    if (unexpected.ids.length < unexpected.count) this.truncated = true;
    if (reversals.some((r) => r.ids.length < r.count)) this.truncated = true;
    return {
      window: { from: this.window.from.toISOString(), to: this.window.to.toISOString() },
      listed: this.listed,
      distinct: this.distinct,
      duplicates: this.listed - this.invalid - this.distinct,
      invalid: this.invalid,
      listLimit: this.listLimit,
      truncated: this.truncated,
      ...this.lists,
      skippedByReason: this.byReason,
      unexpected: { count: unexpected.count, transactionIds: unexpected.ids },
      outsideWindow: this.outside,
      reversalsWithoutCorrection: Object.fromEntries(
        reversals.map((r) => [r.why, { count: r.count, transactionIds: r.ids }]),
      ),
      elapsedMs,
    };
  }

  private push(list: IdList, id: string): void {
    list.count++;
    if (list.transactionIds.length < this.listLimit) list.transactionIds.push(id);
    else this.truncated = true;
  }
}
