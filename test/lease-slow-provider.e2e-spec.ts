import Bull from 'bull';
import { waitFor } from '../src/devstack/wait-for';
import { SEND_JOB, SMS_QUEUE } from '../src/queue/sms-queue';
import { BACKOFF_STRATEGY } from '../src/queue/retry-backoff';
import { Pool } from 'pg';
import { DevStack } from '../src/devstack/dev-stack';
import { startStack, stopStack, waitForStatuses } from './support/e2e';
import { attemptsOf, historyOf, publishAlerts, receivedBy } from './support/providers';

// A lease of 3 s and an SMSC that answers submit_sm after 8 s: every send outlives the lease it was
// claimed with. Timeouts sit above the answer time, so the first call succeeds. SMPP first because it
// cannot be asked whether it took a message (no lookup): a takeover that does not wait sends again.
const LEASE_MS = 3000;
const SMSC_ANSWER_MS = 8000;

describe('a send slower than its lease, with two dispatchers', () => {
  const ctx: { stack?: DevStack; db?: Pool; queue?: Bull.Queue } = {};
  afterAll(async () => {
    await ctx.queue?.close();
    await stopStack(ctx);
  });

  it('is sent once: a second run of the job while the first is still sending waits instead of resending', async () => {
    const env = {
      PROVIDERS: 'smpp,twilio,vonage',
      SEND_LEASE_MS: String(LEASE_MS),
      PROVIDER_TIMEOUT_MS: '12000',
      CIRCUIT_TIMEOUT_MS: '14000',
    };
    Object.assign(ctx, await startStack({ env, replicas: { dispatcher: 2 } }));
    const { stack, db } = ctx as { stack: DevStack; db: Pool };
    await stack.sandboxClient.setFault('smpp', { mode: 'slow', latencyMs: SMSC_ANSWER_MS });
    const { contacts, ids: txIds } = await publishAlerts(stack, db, 12);

    const claimed = await waitFor(
      'every alert claimed with its SMPP attempt in flight',
      async () => {
        const { rows } = await db.query<{ id: string; claimed_at: Date }>(
          `SELECT n.id, n.updated_at AS claimed_at FROM notifications n
           JOIN delivery_attempts a ON a.notification_id = n.id AND a.status = 'IN_FLIGHT'
           WHERE n.transaction_id = ANY($1) AND n.status = 'SENDING'`,
          [txIds],
        );
        return rows.length === txIds.length ? rows : undefined;
      },
      60000,
      50,
    );
    // Let the lease each alert was claimed with run out (the SMSC is still holding every submit_sm).
    const lastClaim = Math.max(...claimed.map((r) => r.claimed_at.getTime()));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastClaim + LEASE_MS + 500 - Date.now())));

    // The job runs a second time, as when Bull hands a job whose lock lapsed to another worker (or the
    // sweeper re-adds it): another job for each alert, taken by either dispatcher.
    const queue = (ctx.queue = new Bull(SMS_QUEUE, {
      redis: stack.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      prefix: stack.env.QUEUE_PREFIX,
    }));
    await queue.addBulk(
      claimed.map((r) => ({
        name: SEND_JOB,
        data: { notificationId: r.id },
        opts: { jobId: `${r.id}:again`, attempts: 1000, backoff: { type: BACKOFF_STRATEGY } },
      })),
    );

    await waitForStatuses(db, txIds, ['DELIVERED'], 120000);
    // Both runs of every job have ended (the second one stops once the alert is SENT).
    await waitFor(
      'every send job to end',
      async () => {
        const counts = await queue.getJobCounts();
        return counts.active + counts.waiting + counts.delayed === 0;
      },
      120000,
      250,
    );

    // Each second run found the alert's lease renewed, waited (LeaseHeldError) and then found it sent.
    for (const { id } of claimed) {
      const again = await queue.getJob(`${id}:again`);
      expect(again?.returnvalue).toBe('not-ours');
      expect(again?.stacktrace.some((s) => s.startsWith('LeaseHeldError'))).toBe(true);
    }
    for (const c of contacts) expect(await receivedBy(stack, c.phoneNumber)).toHaveLength(1);
    for (const { id } of claimed) {
      expect((await attemptsOf(db, id)).map((a) => `${a.provider}:${a.status}`)).toEqual(['smpp:ACCEPTED']);
      const types = (await historyOf(db, id)).map((e) => e.type);
      expect(types.filter((t) => t === 'SENDING')).toHaveLength(1);
      expect(types).not.toContain('RECOVERED_IN_FLIGHT');
    }
  });
});
