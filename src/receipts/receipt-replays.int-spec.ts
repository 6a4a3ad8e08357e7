import { timelineTypes } from '../../test/support/db';
import { count, useReceiptPath } from '../../test/support/receipt-path';
import { ProviderMessageStatus as P } from '../providers/provider.interface';

describe('receipt replays on PostgreSQL: the same receipt again adds no row, history line or count', () => {
  const { ctx, sentAlert, receipt, statusOf, accept, storedStatuses, counter } = useReceiptPath();
  const duplicates = () => counter(ctx.metrics.receiptsDuplicate, { provider: 'twilio' });
  const delivered = () => counter(ctx.metrics.receipts, { provider: 'twilio', status: 'DELIVERED' });

  it('a final receipt twice, one after the other: one row, one count; the replay counted as duplicate', async () => {
    const a = await sentAlert();
    await accept(a);
    const [counted, replays] = [await delivered(), await duplicates()];
    expect(await ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('applied');
    const history = await timelineTypes(ctx.db.pool, a.id);
    expect(await ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('duplicate');
    expect(await storedStatuses(a.messageId)).toEqual(['delivered']);
    expect(await timelineTypes(ctx.db.pool, a.id)).toEqual(history);
    expect(await delivered()).toBe(counted + 1);
    expect(await duplicates()).toBe(replays + 1);
  });

  it('the same final receipt five times in one batch: one row, applied once, four duplicates', async () => {
    const a = await sentAlert();
    await accept(a);
    const [counted, replays] = [await delivered(), await duplicates()];
    const results = await Promise.all(
      Array.from({ length: 5 }, () => ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))),
    );
    expect(results.filter((r) => r === 'applied')).toHaveLength(1);
    expect(results.filter((r) => r === 'duplicate')).toHaveLength(4);
    expect(await storedStatuses(a.messageId)).toEqual(['delivered']);
    const types = await timelineTypes(ctx.db.pool, a.id);
    expect(count(types, 'DELIVERED') + count(types, 'RECEIPT')).toBe(1);
    expect(await delivered()).toBe(counted + 1);
    expect(await duplicates()).toBe(replays + 4);
  });

  it('an intermediate receipt replayed, alone and within one shared insert: one row, one count', async () => {
    const a = await sentAlert();
    await accept(a);
    const sent = () => counter(ctx.metrics.receipts, { provider: 'twilio', status: 'SENT' });
    const [counted, replays] = [await sent(), await duplicates()];
    expect(await ctx.receipts.record(receipt(a.messageId, P.SENT, 'sent'))).toBe('recorded');
    expect(await ctx.receipts.record(receipt(a.messageId, P.SENT, 'sent'))).toBe('duplicate');
    const b = await sentAlert();
    const together = await Promise.all(
      Array.from({ length: 3 }, () => ctx.receipts.record(receipt(b.messageId, P.SENT, 'sent'))),
    );
    expect(together.sort()).toEqual(['duplicate', 'duplicate', 'recorded']);
    expect(await storedStatuses(a.messageId)).toEqual(['sent']);
    expect(await storedStatuses(b.messageId)).toEqual(['sent']);
    expect(await sent()).toBe(counted + 2);
    expect(await duplicates()).toBe(replays + 3);
  });

  it('a different status or error code is a new receipt: a new row', async () => {
    const a = await sentAlert();
    await accept(a);
    const failed = (code: string) => ({
      ...receipt(a.messageId, P.UNDELIVERED, 'undelivered'),
      errorCode: code,
    });
    expect(await ctx.receipts.record(receipt(a.messageId, P.SENT, 'sent'))).toBe('recorded');
    expect(await ctx.receipts.record(failed('30003'))).toBe('applied');
    expect(await ctx.receipts.record(failed('30005'))).toBe('applied');
    expect(await ctx.receipts.record(failed('30003'))).toBe('duplicate');
    expect(await ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('applied');
    expect(await storedStatuses(a.messageId)).toEqual(['sent', 'undelivered', 'undelivered', 'delivered']);
    expect(await statusOf(a.id)).toBe('UNDELIVERED');
  });

  it('a receipt replayed before its SENT write is stored once and applied once by it', async () => {
    const a = await sentAlert();
    const replays = await duplicates();
    expect(await ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('unmatched');
    expect(await ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('duplicate');
    await accept(a);
    expect(await statusOf(a.id)).toBe('DELIVERED');
    expect(await storedStatuses(a.messageId)).toEqual(['delivered']);
    expect(count(await timelineTypes(ctx.db.pool, a.id), 'DELIVERED')).toBe(1);
    expect(await duplicates()).toBe(replays + 1);
  });
});
