import { Pool } from 'pg';
import { PROVIDER_REGISTRY } from '../../src/providers/provider.registry';
import type { DevStack } from '../../src/devstack/dev-stack';
import { ContactEvent, makeContact, makeTransaction } from '../../src/devstack/sample-data';
import { waitFor } from '../../src/devstack/wait-for';
import { publishContactsAndWait, startStack, stopStack } from './e2e';
import { openAlert } from './opened';

// Helpers for the resilience and provider end-to-end specs: breaker state from the dispatcher's metrics,
// an alert's attempts and history, and what every sandbox provider received for a number.

export const ALL_PROVIDERS = 'twilio,vonage,smpp';

/** One stack for the enclosing describe block; the sandbox's faults are cleared after every test. */
export function providerStack(env: Record<string, string>): { readonly stack: DevStack; readonly db: Pool } {
  const ctx: { stack?: DevStack; db?: Pool } = {};
  beforeAll(async () => {
    Object.assign(ctx, await startStack({ env }));
  });
  afterEach(() => ctx.stack?.sandboxClient.clearFaults());
  afterAll(() => stopStack(ctx));
  return {
    get stack() {
      return ctx.stack!;
    },
    get db() {
      return ctx.db!;
    },
  };
}

/** One alert for each contact (or `n` new ones); the contacts are projected before the alerts are published. */
export async function publishAlerts(
  stack: DevStack,
  db: Pool,
  who: number | ContactEvent[],
): Promise<{ contacts: ContactEvent[]; ids: string[] }> {
  const contacts = typeof who === 'number' ? Array.from({ length: who }, () => makeContact()) : who;
  await publishContactsAndWait(stack, db, contacts);
  const txns = contacts.map((c) => makeTransaction(c.cardholderId));
  await stack.publishTransactions(txns);
  return { contacts, ids: txns.map((t) => t.transactionId) };
}

/** alertline_circuit_state per provider, as the dispatcher exports it (0 closed, 1 half-open, 2 open). */
export async function circuitStates(stack: DevStack): Promise<Record<string, number>> {
  const text = await (await fetch(`${stack.role('dispatcher').baseUrl}/metrics`)).text();
  const states: Record<string, number> = {};
  for (const m of text.matchAll(/^alertline_circuit_state\{provider="(\w+)"\} (\d+)/gm))
    states[m[1]] = Number(m[2]);
  return states;
}

export function waitForCircuit(stack: DevStack, provider: string, state: number, timeoutMs = 60000) {
  return waitFor(
    `${provider} circuit state ${state}`,
    async () => (await circuitStates(stack))[provider] === state,
    timeoutMs,
    100,
  );
}

export interface AlertRecord {
  id: string;
  status: string;
  provider: string | null;
  last_error_code: string | null;
  last_error_detail: string | null;
  segments: number | null;
  encoding: string | null;
  phone_e164: string;
  body: string;
}

export async function alertsByTx(db: Pool, transactionIds: string[]): Promise<AlertRecord[]> {
  const { rows } = await db.query<
    AlertRecord & {
      data_key_id: string | null;
      wrapped_key: Buffer | null;
      phone_enc: Buffer | null;
      body_enc: Buffer | null;
    }
  >(
    `SELECT id, status, provider, last_error_code, last_error_detail, segments, encoding, phone_e164, body,
            data_key_id, wrapped_key, phone_enc, body_enc
     FROM notifications WHERE transaction_id = ANY($1)`,
    [transactionIds],
  );
  // Stored sealed: opened here, as the dispatcher opens them.
  return rows.map(({ data_key_id, wrapped_key, phone_enc, body_enc, ...r }) => ({
    ...r,
    ...(openAlert({ ...r, data_key_id, wrapped_key, phone_enc, body_enc }) as {
      phone_e164: string;
      body: string;
    }),
  }));
}

export interface HistoryRow {
  type: string;
  provider: string | null;
  error_code: string | null;
  detail: string | null;
}

export async function historyOf(db: Pool, notificationId: string): Promise<HistoryRow[]> {
  const { rows } = await db.query<HistoryRow>(
    `SELECT type, provider, error_code, detail FROM notification_events WHERE notification_id = $1 ORDER BY id`,
    [notificationId],
  );
  return rows;
}

export interface AttemptRecord {
  provider: string;
  status: string;
  error_code: string | null;
  segments: number | null;
  provider_message_id: string | null;
  part_message_ids: string[] | null;
}

export async function attemptsOf(db: Pool, notificationId: string): Promise<AttemptRecord[]> {
  const { rows } = await db.query<AttemptRecord>(
    `SELECT provider, status, error_code, segments, provider_message_id, part_message_ids
     FROM delivery_attempts WHERE notification_id = $1 ORDER BY attempt_no`,
    [notificationId],
  );
  return rows;
}

/** Every message any sandbox provider received for this number. */
export async function receivedBy(stack: DevStack, phone: string) {
  const all = await Promise.all(
    PROVIDER_REGISTRY.map(({ name }) => stack.sandboxClient.messages({ provider: name, to: phone })),
  );
  return all.flat();
}
