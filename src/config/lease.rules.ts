import type { z } from 'zod';
import { sendTimings, TimingSettings } from './send-timings';

interface LeaseSettings extends TimingSettings {
  NODE_ENV: string;
  SEND_LEASE_MS: number;
}

/**
 * SEND_LEASE_MS against what it must outlast. While a send runs its lease is renewed every third of it,
 * and a takeover waits until the old attempt must have been answered before asking its provider, so a
 * lease shorter than a provider call is safe while its holder lives (the tests shorten it). Production
 * keeps it at least twice the longest provider step as well: a lease whose renewals fail (database away
 * from this dispatcher only) then never lapses while a call is still running, which matters for SMPP,
 * whose SMSC cannot be asked whether it took a message.
 */
export function checkSendLease(c: LeaseSettings, ctx: z.RefinementCtx): void {
  const lease = c.SEND_LEASE_MS;
  if (lease < 2000) {
    ctx.addIssue({
      code: 'custom',
      path: ['SEND_LEASE_MS'],
      message: 'must be at least 2000 (renewed every third of it)',
    });
    return;
  }
  const step = c.PROVIDER_RATE_LIMIT_WAIT_MS + sendTimings(c).askAfterMs;
  if (c.NODE_ENV === 'production' && lease < 2 * step) {
    ctx.addIssue({
      code: 'custom',
      path: ['SEND_LEASE_MS'],
      message:
        `${lease} must be at least twice the longest provider step in production, ${2 * step}: ` +
        `PROVIDER_RATE_LIMIT_WAIT_MS ${c.PROVIDER_RATE_LIMIT_WAIT_MS} + the later of PROVIDER_TIMEOUT_MS ` +
        `${c.PROVIDER_TIMEOUT_MS} and CIRCUIT_TIMEOUT_MS ${c.CIRCUIT_TIMEOUT_MS} + PROVIDER_LOOKUP_GRACE_MS ` +
        `${c.PROVIDER_LOOKUP_GRACE_MS}`,
    });
  }
}
