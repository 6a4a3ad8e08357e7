import { randomUUID } from 'node:crypto';
import { claimedAttempt, useSendPath } from '../../test/support/send-path';
import { waitFor } from '../devstack/wait-for';
import { messageLockKey } from './receipts.repository';
import { ProviderMessageStatus as P } from '../providers/provider.interface';

describe('multi-part receipts that arrive before the SENT write, on PostgreSQL', () => {
  const path = useSendPath();

  const receipt = (messageId: string) => ({
    provider: 'vonage',
    providerMessageId: messageId,
    status: P.DELIVERED,
    providerStatus: 'delivered',
    receivedAt: new Date(),
  });

  it('keeps every part, applies the first part and files the later ones in the history', async () => {
    const now = new Date();
    const { id, claimed, attempt } = await claimedAttempt(path, 'vonage', now);
    const parts = [1, 2, 3].map(() => randomUUID().replace(/-/g, '').toUpperCase());

    // The handset's receipts beat the provider's answer to our send: all three are unknown yet.
    const early = await Promise.all(parts.map((p) => path.receipts.record(receipt(p))));
    expect(early).toEqual(['unmatched', 'unmatched', 'unmatched']);

    await path.recorder.accepted(claimed, attempt, { messageId: parts[0], segments: 3, partIds: parts }, now);

    expect((await path.notifications.findById(id))?.status).toBe('DELIVERED');
    const history = await path.events.forNotification(id);
    expect(history.map((e) => e.detail).filter((d) => d?.startsWith('part '))).toEqual([
      'part 2/3: delivered',
      'part 3/3: delivered',
    ]);
    const { rows } = await path.db.pool.query<{ provider_message_id: string; notification_id: string }>(
      `SELECT provider_message_id, notification_id FROM receipts WHERE provider_message_id = ANY($1)`,
      [parts],
    );
    expect(rows.map((r) => r.notification_id)).toEqual([id, id, id]);
  });

  it('a replayed receipt of a later part (a duplicated deliver_sm or DLR) adds no row and no history line', async () => {
    const now = new Date();
    const { id, claimed, attempt } = await claimedAttempt(path, 'smpp', now);
    const parts = [1, 2].map(() => randomUUID().replace(/-/g, '').toUpperCase());
    await path.recorder.accepted(claimed, attempt, { messageId: parts[0], segments: 2, partIds: parts }, now);
    const smpp = (messageId: string) => ({
      ...receipt(messageId),
      provider: 'smpp',
      providerStatus: 'DELIVRD',
    });
    const duplicates = async () =>
      (await path.metrics.receiptsDuplicate.get()).values.find((v) => v.labels.provider === 'smpp')?.value ??
      0;
    const before = await duplicates();

    expect(await path.receipts.record(smpp(parts[0]))).toBe('applied');
    expect(await path.multipart.record(smpp(parts[1]))).toBe('part');
    expect(await path.multipart.record(smpp(parts[1]))).toBe('duplicate');
    expect(await path.multipart.record(smpp(parts[0]))).toBe('duplicate');

    const history = await path.events.forNotification(id);
    expect(history.filter((e) => e.detail?.startsWith('part '))).toHaveLength(1);
    const { rows } = await path.db.pool.query(
      `SELECT count(*)::int AS n FROM receipts WHERE provider_message_id = ANY($1)`,
      [parts],
    );
    expect(rows).toEqual([{ n: 2 }]);
    expect(await duplicates()).toBe(before + 2);
  });

  it("a later part's receipt that waited out the parts write for its message lock is still filed in the history", async () => {
    const now = new Date();
    const { id, attempt } = await claimedAttempt(path, 'vonage', now);
    const parts = [1, 2].map(() => randomUUID().replace(/-/g, '').toUpperCase());
    const client = await path.db.pool.connect();
    let pending: Promise<unknown> | undefined;
    try {
      // As the transaction that records the parts: it holds part 2's lock while the receipt looks it up.
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        messageLockKey('vonage', parts[1]),
      ]);
      pending = path.multipart.record(receipt(parts[1]));
      await waitFor('the receipt to wait for the message lock', async () => {
        const { rows } = await path.db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
           WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`,
        );
        return rows[0].n > 0;
      });
      await client.query(`UPDATE delivery_attempts SET part_message_ids = $2 WHERE id = $1`, [
        attempt.id,
        parts,
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await pending).toBe('part');
    const history = await path.events.forNotification(id);
    expect(history.map((e) => e.detail).filter((d) => d?.startsWith('part '))).toEqual([
      'part 2/2: delivered',
    ]);
    const { rows } = await path.db.pool.query(
      `SELECT notification_id FROM receipts WHERE provider_message_id = $1`,
      [parts[1]],
    );
    expect(rows).toEqual([{ notification_id: id }]);
  });
});
