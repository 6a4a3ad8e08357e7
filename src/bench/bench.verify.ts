import type { SandboxMessage } from '../devstack/sandbox-client';
import type { AlertText } from './bench.database';

// Exactly once, checked at both ends: every published transaction has an alert that is DELIVERED in
// Postgres, and the sandbox received exactly one message per alert (matched by recipient and text, which
// the workload makes unique per transaction).

export interface Verification {
  ok: boolean;
  expected: number;
  alerts: number;
  delivered: number;
  /** Transactions with no alert at all. */
  missing: number;
  notDelivered: number;
  sandboxMessages: number;
  /** Alerts the sandbox received more than once (and how many extra messages). */
  duplicated: number;
  extraMessages: number;
  /** Alerts the sandbox never received. */
  lost: number;
  /** Sandbox messages matching no alert. */
  unexpected: number;
  /** False when there were too many messages to list and only the totals were compared. */
  matchedByText: boolean;
  problems: string[];
}

const key = (to: string | null, body: string | null) => `${to ?? ''}\u0000${body ?? ''}`;

export function verifyExactlyOnce(
  transactionIds: string[],
  alerts: AlertText[],
  sandbox: { messages: SandboxMessage[] | null; count: number },
): Verification {
  const byTx = new Map(alerts.map((a) => [a.transactionId, a]));
  const missingIds = transactionIds.filter((id) => !byTx.has(id));
  const notDelivered = alerts.filter((a) => a.status !== 'DELIVERED');
  const v: Verification = {
    ok: false,
    expected: transactionIds.length,
    alerts: alerts.length,
    delivered: alerts.length - notDelivered.length,
    missing: missingIds.length,
    notDelivered: notDelivered.length,
    sandboxMessages: sandbox.count,
    duplicated: 0,
    extraMessages: 0,
    lost: 0,
    unexpected: 0,
    matchedByText: sandbox.messages !== null,
    problems: [],
  };
  if (missingIds.length)
    v.problems.push(
      `${missingIds.length} transactions have no alert, e.g. ${missingIds.slice(0, 3).join(', ')}`,
    );
  if (notDelivered.length) {
    const e = notDelivered.slice(0, 3).map((a) => `${a.transactionId}=${a.status}`);
    v.problems.push(`${notDelivered.length} alerts are not DELIVERED, e.g. ${e.join(', ')}`);
  }
  if (sandbox.messages) {
    const received = new Map<string, number>();
    for (const m of sandbox.messages)
      received.set(key(m.to, m.body), (received.get(key(m.to, m.body)) ?? 0) + 1);
    for (const a of alerts) {
      const k = key(a.phone, a.body);
      const n = received.get(k) ?? 0;
      if (n === 0) v.lost++;
      if (n > 1) {
        v.duplicated++;
        v.extraMessages += n - 1;
      }
      received.delete(k);
    }
    v.unexpected = [...received.values()].reduce((s, n) => s + n, 0);
    if (v.lost) v.problems.push(`${v.lost} alerts never reached the sandbox`);
    if (v.duplicated)
      v.problems.push(
        `${v.duplicated} alerts reached the sandbox more than once (${v.extraMessages} extra SMS)`,
      );
    if (v.unexpected) v.problems.push(`${v.unexpected} sandbox messages match no alert`);
  }
  if (sandbox.count !== transactionIds.length) {
    v.problems.push(
      `the sandbox received ${sandbox.count} messages for ${transactionIds.length} transactions`,
    );
  }
  v.ok = v.problems.length === 0;
  return v;
}
