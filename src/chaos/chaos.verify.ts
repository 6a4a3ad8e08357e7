import type { SandboxMessage } from '../devstack/sandbox-client';
import { ChaosAlert, FINAL_STATUSES } from './chaos.database';

// Every transaction published in a step, checked at both ends: its final state in PostgreSQL and the SMS
// the sandbox received for it (matched by recipient and text, unique per transaction in a run).

export interface StepVerification {
  published: number;
  /** No alert row, or an alert that says it went out (SENT/DELIVERED) that no provider received. */
  lost: number;
  /** Alerts the sandbox received more than once, and how many of them a documented case explains. */
  duplicates: number;
  explainedDuplicates: number;
  nonFinal: number;
  /** SENT and flagged OVERDUE: a provider took it and never said more (counted apart from non-final). */
  overdue: number;
  /** Final but not DELIVERED (EXPIRED after every provider was down past the deadline, ...), by status. */
  notDelivered: Record<string, number>;
  /** Alerts a provider accepted after their deadline (or never, and the deadline passed). */
  pastDeadline: number;
  examples: string[];
}

// SMPP and Vonage carry the number without its '+'.
const key = (to: string | null, body: string | null) => `${(to ?? '').replace(/^\+/, '')}\u0000${body ?? ''}`;

/**
 * The documented duplicates (docs/providers.md): a provider took the message but its answer never came (a
 * timeout, an SMPP response lost with its session), or a process died between the provider's answer and
 * the write, and the lookup before the next attempt could not find it even once settled (a provider that
 * took it later still), or it cannot be asked (SMPP: UNKNOWN, resent by UNKNOWN_OUTCOME_POLICY). The trail
 * then shows such an attempt before the one accepted. Anything else is unexplained and fails the run.
 */
export function explainDuplicate(alert: ChaosAlert): string | null {
  const accepted = alert.attempts.findIndex((a) => a.split(':')[1] === 'ACCEPTED');
  const before = alert.attempts.slice(0, accepted < 0 ? alert.attempts.length : accepted);
  const unknown = before.find((a) => /:(FAILED:TIMEOUT|NOT_SENT|IN_FLIGHT|UNKNOWN)/.test(a));
  return unknown ? `outcome unknown at ${unknown}` : null;
}

export function verifyStep(
  transactionIds: string[],
  alerts: ChaosAlert[],
  messages: SandboxMessage[],
): StepVerification {
  const received = new Map<string, number>();
  for (const m of messages) received.set(key(m.to, m.body), (received.get(key(m.to, m.body)) ?? 0) + 1);
  const byTx = new Map(alerts.map((a) => [a.transactionId, a]));
  const v: StepVerification = {
    published: transactionIds.length,
    lost: 0,
    duplicates: 0,
    explainedDuplicates: 0,
    nonFinal: 0,
    overdue: 0,
    notDelivered: {},
    pastDeadline: 0,
    examples: [],
  };
  const example = (line: string) => {
    if (v.examples.length < 8) v.examples.push(line);
  };
  for (const id of transactionIds) {
    const alert = byTx.get(id);
    if (!alert) {
      v.lost++;
      example(`${id}: no alert`);
      continue;
    }
    const sms = received.get(key(alert.phone, alert.body)) ?? 0;
    if (alert.status === 'SENT' && alert.overdue) {
      v.overdue++;
    } else if (!FINAL_STATUSES.includes(alert.status)) {
      v.nonFinal++;
      example(`${id}: left ${alert.status} (${alert.attempts.join(' ') || 'no attempt'})`);
    } else if (alert.status !== 'DELIVERED') {
      v.notDelivered[alert.status] = (v.notDelivered[alert.status] ?? 0) + 1;
    }
    if (sms === 0 && ['SENT', 'DELIVERED'].includes(alert.status)) {
      v.lost++;
      example(`${id}: ${alert.status} but no provider received it`);
    }
    if (sms > 1) {
      v.duplicates++;
      const why = explainDuplicate(alert);
      if (why) v.explainedDuplicates++;
      example(`${id}: ${sms} SMS (${why ?? 'unexplained'}; ${alert.attempts.join(' ')})`);
    }
    if (alert.lateMs !== null && alert.lateMs > 0) v.pastDeadline++;
  }
  return v;
}
