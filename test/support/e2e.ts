import { Pool } from 'pg';
import { DevStack, DevStackOptions } from '../../src/devstack/dev-stack';
import type { ContactEvent } from '../../src/devstack/sample-data';
import { waitFor } from '../../src/devstack/wait-for';
import { statusesByTx, TEST_DATABASE_URL, testDb } from './db';

export const SUPPORT_KEY = 'support-demo-key';
export const SUPERVISOR_KEY = 'supervisor-demo-key';

/**
 * Starts a namespaced stack against the test database; call the returned stop in afterAll. `readyTimeoutMs`
 * bounds each process's start (default 60 s): a stack of many processes on a loaded machine needs more.
 */
export async function startStack(
  opts: Partial<DevStackOptions> & { readyTimeoutMs?: number } = {},
): Promise<{ stack: DevStack; db: Pool }> {
  const { readyTimeoutMs, ...stackOpts } = opts;
  const db = await testDb();
  const stack = await DevStack.create({
    databaseUrl: TEST_DATABASE_URL,
    echoLogs: !!process.env.E2E_ECHO,
    ...stackOpts,
  });
  try {
    await stack.start(readyTimeoutMs);
  } catch (err) {
    // Roles already started would otherwise outlive the spec and load the machine for the ones after it.
    await stack.stop();
    await db.end();
    throw err;
  }
  return { stack, db };
}

export async function stopStack(ctx: { stack?: DevStack; db?: Pool }): Promise<void> {
  await ctx.stack?.stop();
  await ctx.db?.end();
}

/** A stack a describe block shares; reading it before its beforeAll ran (or after a failed start) throws. */
export interface SharedStack {
  readonly stack: DevStack;
  readonly db: Pool;
}

/**
 * Starts a stack in the calling describe block's beforeAll and stops it in its afterAll (hooks the spec
 * adds after this call run after the start, and after the stop).
 */
export function useStack(opts: Parameters<typeof startStack>[0] = {}): SharedStack {
  const ctx: { stack?: DevStack; db?: Pool } = {};
  beforeAll(async () => {
    Object.assign(ctx, await startStack(opts));
  });
  afterAll(() => stopStack(ctx));
  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('the stack is not started: use it inside a test or a later hook');
    return value;
  };
  return {
    get stack() {
      return started(ctx.stack);
    },
    get db() {
      return started(ctx.db);
    },
  };
}

/** Publishes contacts and waits until ingest projected them, so the transactions that follow find them. */
export async function publishContactsAndWait(
  stack: DevStack,
  db: Pool,
  contacts: ContactEvent[],
): Promise<void> {
  await stack.publishContacts(contacts);
  await waitFor('contacts projected', async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM contacts WHERE cardholder_id = ANY($1)`, [
      contacts.map((c) => c.cardholderId),
    ]);
    return rows[0].n === new Set(contacts.map((c) => c.cardholderId)).size;
  });
}

/** Waits until every transaction has one of the wanted statuses; returns the final map. */
export async function waitForStatuses(
  db: Pool,
  transactionIds: string[],
  wanted: string[] | ((txId: string) => string[]),
  timeoutMs = 60000,
): Promise<Map<string, string>> {
  const want = typeof wanted === 'function' ? wanted : () => wanted;
  let last = new Map<string, string>();
  // "missing": no alert row at all (never ingested, or dead-lettered: see the topic's .dlq).
  const status = (t: string) => last.get(t) ?? 'missing';
  try {
    return await waitFor(
      `${transactionIds.length} alerts to be ${typeof wanted === 'function' ? 'in their expected statuses' : wanted.join(' or ')}`,
      async () => {
        last = await statusesByTx(db, transactionIds);
        return transactionIds.every((t) => want(t).includes(status(t))) ? last : undefined;
      },
      timeoutMs,
      200,
    );
  } catch (err) {
    const tally: Record<string, number> = {};
    for (const t of transactionIds) tally[status(t)] = (tally[status(t)] ?? 0) + 1;
    const off = transactionIds.filter((t) => !want(t).includes(status(t))).slice(0, 5);
    throw new Error(
      `${(err as Error).message}; statuses ${JSON.stringify(tally)}; e.g. ${off.map((t) => `${t}=${status(t)}`).join(', ')}`,
    );
  }
}

export async function api(stack: DevStack, path: string, key = SUPPORT_KEY, init: RequestInit = {}) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
