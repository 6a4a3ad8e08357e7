import { PassThrough, Readable } from 'node:stream';
import { NotificationStatus as S, SkipReason } from '../notifications/notification-status';
import {
  CsvLimits,
  ReconciliationInputError,
  ReconciliationTimeoutError,
  ReconciliationTooLargeError,
  parseWindow,
  transactionIdsFromCsv,
} from './reconciliation.input';
import { categorise, ReportBuilder } from './reconciliation.report';
import { ListedTransaction } from './reconciliation.repository';

const window = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-02T00:00:00Z') };
const inside = new Date('2026-11-01T12:00:00Z');
const overdueBefore = new Date('2026-11-01T12:30:00Z');
const row = (id: string, status: S | null, extra: Partial<ListedTransaction> = {}): ListedTransaction => ({
  transaction_id: id,
  status,
  skip_reason: null,
  overdue: status ? false : null,
  accepted_at: null,
  authorised_at: status ? inside : null,
  ...extra,
});

describe('reconciliation report', () => {
  it('puts every status in one category; SENT past the SLA is overdue even before the sweeper flags it', () => {
    expect(categorise(row('a', null), overdueBefore)).toBe('noAlert');
    expect(categorise(row('a', S.SKIPPED), overdueBefore)).toBe('skipped');
    expect(categorise(row('a', S.FAILED), overdueBefore)).toBe('failed');
    expect(categorise(row('a', S.EXPIRED), overdueBefore)).toBe('expired');
    expect(categorise(row('a', S.UNDELIVERED), overdueBefore)).toBe('undelivered');
    expect(categorise(row('a', S.DELIVERED, { overdue: true }), overdueBefore)).toBe('delivered');
    expect(categorise(row('a', S.SENT, { overdue: true }), overdueBefore)).toBe('overdue');
    expect(
      categorise(row('a', S.SENT, { accepted_at: new Date('2026-11-01T12:00:00Z') }), overdueBefore),
    ).toBe('overdue');
    expect(
      categorise(row('a', S.SENT, { accepted_at: new Date('2026-11-01T12:31:00Z') }), overdueBefore),
    ).toBe('inProgress');
    for (const s of [S.RECEIVED, S.QUEUED, S.SENDING])
      expect(categorise(row('a', s), overdueBefore)).toBe('inProgress');
  });

  it('keeps exact counts while capping the id lists, and groups skips by reason', () => {
    const report = new ReportBuilder(window, 2, overdueBefore);
    report.listed = 7;
    report.add([
      row('d1', S.DELIVERED),
      row('d2', S.DELIVERED),
      row('d3', S.DELIVERED, { authorised_at: new Date('2026-10-31T23:59:59Z') }),
      row('s1', S.SKIPPED, { skip_reason: SkipReason.NO_CONTACT }),
      row('s2', S.SKIPPED, { skip_reason: SkipReason.ALERTS_DISABLED }),
      row('m1', null),
    ]);
    const r = report.build({ count: 3, ids: ['u1', 'u2'] }, 5);
    expect(r.delivered).toEqual({ count: 3, transactionIds: ['d1', 'd2'] });
    expect(r.skipped.count).toBe(2);
    expect(r.skippedByReason).toEqual({
      NO_CONTACT: { count: 1, transactionIds: ['s1'] },
      ALERTS_DISABLED: { count: 1, transactionIds: ['s2'] },
    });
    expect(r.noAlert).toEqual({ count: 1, transactionIds: ['m1'] });
    expect(r.outsideWindow).toEqual({ count: 1, transactionIds: ['d3'] });
    expect(r.unexpected).toEqual({ count: 3, transactionIds: ['u1', 'u2'] });
    expect(r).toMatchObject({ listed: 7, distinct: 6, duplicates: 1, truncated: true, listLimit: 2 });
  });

  it('lists reversals without a correction by why, truncated like the other lists', () => {
    const report = new ReportBuilder(window, 2, new Date());
    const r = report.build({ count: 0, ids: [] }, 1, [
      { why: 'EXCEEDS_ORIGINAL', count: 1, ids: ['t1'] },
      { why: 'WAITING_FOR_ORIGINAL', count: 3, ids: ['t2', 't3'] },
    ]);
    expect(r.reversalsWithoutCorrection).toEqual({
      EXCEEDS_ORIGINAL: { count: 1, transactionIds: ['t1'] },
      WAITING_FOR_ORIGINAL: { count: 3, transactionIds: ['t2', 't3'] },
    });
    expect(r.truncated).toBe(true);
  });
});

describe('reconciliation input', () => {
  const limits = (over: Partial<CsvLimits> = {}): CsvLimits => ({
    maxBytes: 1 << 20,
    maxRecordBytes: 1024,
    signal: new AbortController().signal,
    timeoutError: () => new ReconciliationTimeoutError('time is up'),
    ...over,
  });
  const drain = async (source: Readable, over: Partial<CsvLimits> = {}) => {
    const ids: string[] = [];
    for await (const id of transactionIdsFromCsv(source, limits(over))) ids.push(id);
    return ids;
  };
  const collect = (csv: string, over: Partial<CsvLimits> = {}) => drain(Readable.from([csv]), over);

  it('reads the transactionId column of a CSV with a header, whatever the other columns', async () => {
    expect(await collect('\uFEFFamount,transactionId\n10, txn-1 \n\n20,txn-2\n30,\n')).toEqual([
      'txn-1',
      'txn-2',
    ]);
  });

  it('names what is wrong with a CSV or a window', async () => {
    await expect(collect('id\ntxn-1\n')).rejects.toThrow(ReconciliationInputError);
    await expect(collect('transactionId\n"unterminated\n')).rejects.toThrow(/CSV/);
    expect(() => parseWindow({ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' })).toThrow(
      'from must be before to',
    );
    expect(() => parseWindow({ from: 'yesterday' })).toThrow(ReconciliationInputError);
  });

  it('stops at the byte limit, counting every chunk of the stream', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `txn-${i}\n`);
    const upload = Readable.from(['transactionId\n', ...rows]);
    const read = drain(upload, { maxBytes: 1000 });
    await expect(read).rejects.toThrow(ReconciliationTooLargeError);
    await expect(drain(Readable.from(['transactionId\n', ...rows]), { maxBytes: 1000 })).rejects.toThrow(
      /over 1000 bytes \(RECONCILIATION_CSV_MAX_BYTES\)/,
    );
    expect(await collect(`transactionId\n${rows.join('')}`, { maxBytes: 2000 })).toHaveLength(200);
  });

  it('refuses a record over the record limit (a CSV without line breaks included)', async () => {
    await expect(
      collect(`transactionId,note\ntxn-1,${'x'.repeat(300)}\n`, { maxRecordBytes: 256 }),
    ).rejects.toThrow(/record is over 256 characters \(RECONCILIATION_MAX_RECORD_BYTES\)/);
    await expect(collect(`transactionId\n${'y'.repeat(5000)}`, { maxRecordBytes: 256 })).rejects.toThrow(
      ReconciliationTooLargeError,
    );
    expect(await collect(`transactionId,note\ntxn-1,${'x'.repeat(200)}\n`, { maxRecordBytes: 256 })).toEqual([
      'txn-1',
    ]);
  });

  it('ends a stalled upload when the signal fires', async () => {
    const stalled = new PassThrough();
    stalled.write('transactionId\ntxn-1\n');
    const timer = new AbortController();
    const read = drain(stalled, { signal: timer.signal });
    setTimeout(() => timer.abort(), 50);
    await expect(read).rejects.toThrow(ReconciliationTimeoutError);
  });
});
