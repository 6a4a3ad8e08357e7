import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { SentLookup } from '../providers/provider.interface';

/**
 * What a "no such message" about an attempt whose answer we lost means, by when it was asked:
 *  - `ask-again` (until `at`): the provider may still take the request (it reached them late, or they are
 *    still working on it) or not show it to lookups yet. Nothing is sent anywhere meanwhile.
 *  - `not-sent`: settled, and the provider's lookup would show a message it took: certainly not sent.
 *  - `unknown`: settled, but the provider cannot be asked (SMPP): nobody can say; `policy` decides.
 */
export type NotFoundVerdict =
  { kind: 'ask-again'; at: Date } | { kind: 'not-sent' } | { kind: 'unknown'; policy: UnknownOutcomePolicy };

export type UnknownOutcomePolicy = 'resend' | 'expire';

export interface SettleTimings {
  /** The longest a call can run before we give up on it: the later of the adapter's and breaker's timeouts. */
  callMs: number;
  /** UNKNOWN_OUTCOME_SETTLE_MS: how long after that the provider may still take the request. */
  settleMs: number;
}

/** When a "not found" about an attempt started at `startedAt` can be believed. */
export function settledAt(startedAt: Date, lookup: SentLookup, t: SettleTimings): Date {
  return new Date(startedAt.getTime() + t.callMs + t.settleMs + lookup.visibilityLagMs);
}

export function judgeNotFound(
  startedAt: Date,
  lookup: SentLookup,
  now: Date,
  t: SettleTimings,
  policy: UnknownOutcomePolicy,
): NotFoundVerdict {
  const at = settledAt(startedAt, lookup, t);
  if (now.getTime() < at.getTime()) return { kind: 'ask-again', at };
  return lookup.by === 'none' ? { kind: 'unknown', policy } : { kind: 'not-sent' };
}

/** judgeNotFound with the configured timings and policy. */
@Injectable()
export class UnknownOutcomes {
  private readonly timings: SettleTimings;
  private readonly policy: UnknownOutcomePolicy;

  constructor(config: AppConfig) {
    this.timings = {
      callMs: Math.max(config.get('PROVIDER_TIMEOUT_MS'), config.get('CIRCUIT_TIMEOUT_MS')),
      settleMs: config.get('UNKNOWN_OUTCOME_SETTLE_MS'),
    };
    this.policy = config.get('UNKNOWN_OUTCOME_POLICY');
  }

  judge(startedAt: Date, lookup: SentLookup, now: Date): NotFoundVerdict {
    return judgeNotFound(startedAt, lookup, now, this.timings, this.policy);
  }
}
