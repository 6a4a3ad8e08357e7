import fc from 'fast-check';
import type { SentLookup } from '../providers/provider.interface';
import { judgeNotFound, settledAt } from './unknown-outcome';

const timings = { callMs: 8000, settleMs: 30000 };
const started = new Date('2026-12-07T05:00:00Z');
const at = (ms: number) => new Date(started.getTime() + ms);
const twilio: SentLookup = { by: 'content', visibilityLagMs: 5000 };
const smpp: SentLookup = { by: 'none', visibilityLagMs: 0 };

describe('judgeNotFound', () => {
  it('believes a "not found" only after the call, the settle time and the vendor lag', () => {
    expect(settledAt(started, twilio, timings)).toEqual(at(43000));
    expect(judgeNotFound(started, twilio, at(2000), timings, 'resend')).toEqual({
      kind: 'ask-again',
      at: at(43000),
    });
    expect(judgeNotFound(started, twilio, at(43000), timings, 'resend')).toEqual({ kind: 'not-sent' });
  });

  it('never calls an unaskable provider\'s attempt "not sent": settled, it is unknown, for the policy', () => {
    expect(judgeNotFound(started, smpp, at(37999), timings, 'expire').kind).toBe('ask-again');
    expect(judgeNotFound(started, smpp, at(38000), timings, 'expire')).toEqual({
      kind: 'unknown',
      policy: 'expire',
    });
  });

  it('never lets a resend happen before the attempt has settled, whatever the timings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120000 }),
        fc.integer({ min: 1000, max: 600000 }),
        fc.integer({ min: 0, max: 300000 }),
        fc.constantFrom<SentLookup['by']>('reference', 'content', 'none'),
        fc.integer({ min: 0, max: 2_000_000 }),
        (callMs, settleMs, lag, by, elapsed) => {
          const verdict = judgeNotFound(
            started,
            { by, visibilityLagMs: lag },
            at(elapsed),
            { callMs, settleMs },
            'resend',
          );
          const settled = elapsed >= callMs + settleMs + lag;
          expect(verdict.kind === 'ask-again').toBe(!settled);
          if (verdict.kind === 'not-sent') expect(by).not.toBe('none');
        },
      ),
    );
  });
});
