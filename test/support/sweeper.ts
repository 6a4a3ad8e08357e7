import Bull from 'bull';
import { Pool } from 'pg';
import type { DevStack } from '../../src/devstack/dev-stack';
import { ContactEvent, makeContact } from '../../src/devstack/sample-data';
import { waitFor } from '../../src/devstack/wait-for';
import { publishContactsAndWait, startStack, stopStack } from './e2e';
import { scratchDatabase } from './scratch-db';

// A sweep every second, a QUEUED alert adopted after 2 s without a job, receipts due 2 s after acceptance.
export const FAST_SWEEPER = {
  SWEEP_ENABLED: 'true',
  SWEEP_INTERVAL_MS: '1000',
  SWEEP_QUEUED_GRACE_MS: '2000',
  RECEIPT_SLA_SECONDS: '2',
  SWEEP_RECHECK_SECONDS: '1',
};

export interface SweeperStack {
  stack: DevStack;
  /** The stack's own database. */
  db: Pool;
  stop: () => Promise<void>;
}

/**
 * A stack with a fast sweeper on a database of its own: the sweeper adopts every job-less alert it can
 * see, so on the shared test database it would adopt (or be raced by) other stacks' alerts.
 */
export async function startSweeperStack(env: Record<string, string> = {}): Promise<SweeperStack> {
  const scratch = await scratchDatabase();
  const ctx: { stack?: DevStack; db?: Pool } = {};
  try {
    Object.assign(ctx, await startStack({ databaseUrl: scratch.url, env: { ...FAST_SWEEPER, ...env } }));
  } catch (err) {
    await stopStack(ctx);
    await scratch.drop();
    throw err;
  }
  return {
    stack: ctx.stack!,
    db: scratch.pool,
    stop: async () => {
      await stopStack(ctx);
      await scratch.drop();
    },
  };
}

/** Contacts published and projected into the stack's database. */
export async function projectedContacts(stack: DevStack, db: Pool, n: number): Promise<ContactEvent[]> {
  const contacts = Array.from({ length: n }, () => makeContact());
  await publishContactsAndWait(stack, db, contacts);
  return contacts;
}

/** Each contact's phone received exactly one SMS at the sandbox's Twilio. */
export async function expectOneSmsEach(stack: DevStack, contacts: ContactEvent[]): Promise<void> {
  const received = await stack.sandboxClient.messages({ provider: 'twilio' });
  const perPhone = new Map<string, number>();
  for (const m of received) perPhone.set(m.to, (perPhone.get(m.to) ?? 0) + 1);
  expect(contacts.map((c) => perPhone.get(c.phoneNumber) ?? 0)).toEqual(contacts.map(() => 1));
}

/** Waits until all the transactions have alerts and at least `min` of them are still QUEUED; returns that count. */
export async function whileQueued(db: Pool, transactionIds: string[], min: number): Promise<number> {
  return waitFor('alerts recorded, most still waiting for a dispatcher', async () => {
    const { rows } = await db.query<{ n: number; queued: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'QUEUED')::int AS queued
       FROM notifications WHERE transaction_id = ANY($1)`,
      [transactionIds],
    );
    return rows[0].n === transactionIds.length && rows[0].queued >= min ? rows[0].queued : undefined;
  });
}

/** Alerts the sweeper put back on the queue, by their history (the sweeper's REQUEUED events). */
export async function sweptAlerts(db: Pool, transactionIds: string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(DISTINCT e.notification_id)::int AS n FROM notification_events e
     JOIN notifications n ON n.id = e.notification_id
     WHERE n.transaction_id = ANY($1) AND e.type = 'REQUEUED' AND e.detail LIKE 'sweeper:%'`,
    [transactionIds],
  );
  return rows[0].n;
}

/** Deletes every key under a Bull prefix (one stack's queues), leaving the rest of Redis alone. */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<number> {
  return withRedis(redisUrl, async (redis) => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    if (keys.length) await redis.unlink(...keys);
    return keys.length;
  });
}

/** Runs `work` with an ioredis connection (Bull's own client, so no other Redis library is needed). */
export async function withRedis<T>(
  redisUrl: string,
  work: (redis: Bull.Queue['client']) => Promise<T>,
): Promise<T> {
  const probe = new Bull('probe', { redis: redisUrl });
  try {
    return await work(probe.client);
  } finally {
    await probe.close();
  }
}
