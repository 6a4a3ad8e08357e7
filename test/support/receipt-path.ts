import { randomUUID } from 'node:crypto';
import { Database } from '../../src/database/database.service';
import { Metrics } from '../../src/metrics/metrics.service';
import { ProviderMessageStatus as P } from '../../src/providers/provider.interface';
import { testDatabaseService } from './db';
import { claimedAttempt, sendPathOn } from './send-path';

/**
 * Receipt specs on the test database: the send path wired for a describe block, and the steps those
 * specs share (an alert claimed with an attempt in flight, its acceptance, a receipt, what was stored).
 * Filled in when the block's tests run.
 */
export function useReceiptPath() {
  const metrics = new Metrics();
  const ctx = { metrics } as { metrics: Metrics; db: Database } & ReturnType<typeof sendPathOn>;
  beforeAll(async () => {
    const db = await testDatabaseService();
    Object.assign(ctx, sendPathOn(db, metrics), { db });
  });
  afterAll(() => ctx.db?.onModuleDestroy());

  async function sentAlert(provider = 'twilio') {
    const { id, claimed, attempt } = await claimedAttempt(ctx, provider);
    const messageId = `SM${randomUUID().replace(/-/g, '')}`;
    return { id, claimed, attempt, messageId };
  }
  const receipt = (messageId: string, status: P, providerStatus: string) => ({
    provider: 'twilio',
    providerMessageId: messageId,
    status,
    providerStatus,
    receivedAt: new Date(),
  });
  const statusOf = async (id: string) => (await ctx.notifications.findById(id))?.status;
  const accept = (a: Awaited<ReturnType<typeof sentAlert>>, messageId = a.messageId) =>
    ctx.recorder.accepted(a.claimed, a.attempt, { messageId, segments: 1 }, new Date());
  const storedStatuses = async (messageId: string) =>
    (
      await ctx.db.pool.query<{ provider_status: string }>(
        `SELECT provider_status FROM receipts WHERE provider_message_id = $1 ORDER BY id`,
        [messageId],
      )
    ).rows.map((r) => r.provider_status);
  const counter = async (c: typeof metrics.receipts, labels: Record<string, string>) =>
    (await c.get()).values.find((v) =>
      Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x),
    )?.value ?? 0;
  return { ctx, sentAlert, receipt, statusOf, accept, storedStatuses, counter };
}

export const count = (types: string[], type: string) => types.filter((t) => t === type).length;
