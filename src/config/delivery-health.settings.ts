import { z } from 'zod';

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * Routing by delivery health (docs/design.md, "Routing by delivery health"): a provider whose accepted
 * messages stop reaching phones is moved down the route, and back up when they reach them again.
 */
export const deliveryHealthSettings = {
  // Unset: on, except under NODE_ENV=test (test stacks share one database, and one stack's traffic would
  // move another's route); the delivery-health tests set it.
  DELIVERY_HEALTH_ROUTING: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  // Final outcomes (DELIVERED, UNDELIVERED, FAILED receipts, polled ones included, and silence past the
  // receipt wait) that fall in this window are the evidence.
  DELIVERY_HEALTH_WINDOW_SECONDS: int(5, 86_400, 300),
  // A message accepted this long ago with no final receipt counts as not delivered (the "no receipt" route).
  DELIVERY_HEALTH_RECEIPT_WAIT_SECONDS: int(1, 86_400, 180),
  // Fewer outcomes than this in the window: no change either way (too little evidence).
  DELIVERY_HEALTH_MIN_SAMPLE: int(1, 10_000, 20),
  // The latest this many accepted messages per provider are read: bounds the query whatever the traffic.
  DELIVERY_HEALTH_MAX_SAMPLE: int(10, 100_000, 2_000),
  // Hysteresis: demoted below the first share, restored only at or above the second.
  DELIVERY_HEALTH_DEMOTE_BELOW_PERCENT: int(1, 99, 80),
  DELIVERY_HEALTH_RESTORE_AT_PERCENT: int(2, 100, 90),
  // And on the p90 delay from acceptance to DELIVERED: demoted above the first, restored at or below the second.
  DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS: int(1, 86_400, 60),
  DELIVERY_HEALTH_RESTORE_DELAY_SECONDS: int(0, 86_400, 30),
  // A provider stays at least this long in a state before it may change again (no flapping).
  DELIVERY_HEALTH_MIN_STATE_SECONDS: int(0, 86_400, 120),
  // The share of alerts that still try a demoted provider first, so its recovery is seen.
  DELIVERY_HEALTH_TRIAL_PERCENT: int(1, 50, 5),
  // How often the window is evaluated (by one dispatcher) and every dispatcher reads the route.
  DELIVERY_HEALTH_INTERVAL_MS: int(100, 60_000, 5_000),
};

interface DeliveryHealthValues {
  DELIVERY_HEALTH_MIN_SAMPLE: number;
  DELIVERY_HEALTH_MAX_SAMPLE: number;
  DELIVERY_HEALTH_DEMOTE_BELOW_PERCENT: number;
  DELIVERY_HEALTH_RESTORE_AT_PERCENT: number;
  DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS: number;
  DELIVERY_HEALTH_RESTORE_DELAY_SECONDS: number;
  DELIVERY_HEALTH_RECEIPT_WAIT_SECONDS: number;
}

/** The thresholds must leave a gap (hysteresis) and be reachable; start-up names the setting that is not. */
export function checkDeliveryHealth(c: DeliveryHealthValues, ctx: z.RefinementCtx): void {
  const problem = (setting: keyof DeliveryHealthValues, message: string) =>
    ctx.addIssue({ code: 'custom', path: [setting], message });
  if (c.DELIVERY_HEALTH_RESTORE_AT_PERCENT <= c.DELIVERY_HEALTH_DEMOTE_BELOW_PERCENT) {
    problem(
      'DELIVERY_HEALTH_RESTORE_AT_PERCENT',
      `${c.DELIVERY_HEALTH_RESTORE_AT_PERCENT} must be above DELIVERY_HEALTH_DEMOTE_BELOW_PERCENT (${c.DELIVERY_HEALTH_DEMOTE_BELOW_PERCENT}): the gap keeps a provider from flapping`,
    );
  }
  if (c.DELIVERY_HEALTH_RESTORE_DELAY_SECONDS >= c.DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS) {
    problem(
      'DELIVERY_HEALTH_RESTORE_DELAY_SECONDS',
      `${c.DELIVERY_HEALTH_RESTORE_DELAY_SECONDS} must be below DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS (${c.DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS})`,
    );
  }
  if (c.DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS >= c.DELIVERY_HEALTH_RECEIPT_WAIT_SECONDS) {
    problem(
      'DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS',
      `${c.DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS} must be below DELIVERY_HEALTH_RECEIPT_WAIT_SECONDS (${c.DELIVERY_HEALTH_RECEIPT_WAIT_SECONDS}): a receipt later than the wait counts as none, so a longer delay could never be seen`,
    );
  }
  if (c.DELIVERY_HEALTH_MIN_SAMPLE > c.DELIVERY_HEALTH_MAX_SAMPLE) {
    problem(
      'DELIVERY_HEALTH_MIN_SAMPLE',
      `${c.DELIVERY_HEALTH_MIN_SAMPLE} must be at most DELIVERY_HEALTH_MAX_SAMPLE (${c.DELIVERY_HEALTH_MAX_SAMPLE})`,
    );
  }
}
