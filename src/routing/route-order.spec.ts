import fc from 'fast-check';
import { orderRoute, TrialFloor } from './route-order';

const CONFIGURED = ['twilio', 'vonage', 'smpp'] as const;
type P = (typeof CONFIGURED)[number];

describe('route order by delivery health', () => {
  it('keeps the configured order while every provider is healthy', () => {
    expect(orderRoute(CONFIGURED, new Set())).toEqual({ order: ['twilio', 'vonage', 'smpp'], passed: [] });
  });

  it('moves a demoted provider behind every healthy one, still a fallback', () => {
    expect(orderRoute(CONFIGURED, new Set(['twilio']))).toEqual({
      order: ['vonage', 'smpp', 'twilio'],
      passed: ['twilio'],
    });
    // Already last: nothing was routed past it.
    expect(orderRoute(CONFIGURED, new Set(['smpp'])).passed).toEqual([]);
  });

  it('puts a trial first, and keeps the configured order when every provider is demoted', () => {
    expect(orderRoute(CONFIGURED, new Set(['twilio']), 'twilio')).toEqual({
      order: ['twilio', 'vonage', 'smpp'],
      trial: 'twilio',
      passed: [],
    });
    expect(orderRoute(CONFIGURED, new Set(CONFIGURED))).toEqual({
      order: ['twilio', 'vonage', 'smpp'],
      passed: [],
    });
  });

  it('for any demoted set and trial: a permutation, healthy ones in configured order before demoted ones', () => {
    fc.assert(
      fc.property(fc.subarray([...CONFIGURED]), fc.boolean(), (demotedList, withTrial) => {
        const demoted = new Set<string>(demotedList);
        const trial = withTrial ? (demotedList[0] as P | undefined) : undefined;
        const { order, passed } = orderRoute(CONFIGURED, demoted, trial);
        expect([...order].sort()).toEqual([...CONFIGURED].sort());
        const rest = trial ? order.slice(1) : order;
        const healthy = rest.filter((p) => !demoted.has(p));
        expect(healthy).toEqual(CONFIGURED.filter((p) => !demoted.has(p)));
        expect(rest.slice(0, healthy.length)).toEqual(healthy);
        for (const p of passed) expect(demoted.has(p) && p !== trial).toBe(true);
      }),
    );
  });
});

describe('trial floor', () => {
  it('sends exactly the share of alerts to a demoted provider first, evenly spread', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 2000 }), (percent, n) => {
        const floor = new TrialFloor(percent);
        const trials: number[] = [];
        for (let i = 0; i < n; i++) if (floor.pick(['twilio'])) trials.push(i);
        expect(trials.length).toBe(Math.floor((n * percent) / 100));
        // Never two trials closer than the share allows.
        for (let i = 1; i < trials.length; i++)
          expect(trials[i] - trials[i - 1]).toBeGreaterThanOrEqual(Math.floor(100 / percent));
      }),
    );
  });

  it('gives every demoted provider its turn, none more than its share', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 100, max: 2000 }), (percent, n) => {
        const floor = new TrialFloor(percent);
        const count = new Map<string, number>();
        for (let i = 0; i < n; i++) {
          const p = floor.pick(['twilio', 'vonage']);
          if (p) count.set(p, (count.get(p) ?? 0) + 1);
        }
        for (const p of ['twilio', 'vonage']) {
          // When both are due on one alert, the second goes on the next one: at most one behind.
          const share = Math.floor((n * percent) / 100);
          expect(count.get(p) ?? 0).toBeLessThanOrEqual(share);
          expect(count.get(p) ?? 0).toBeGreaterThanOrEqual(share - 1);
        }
      }),
    );
  });

  it('starts over for a provider that was restored', () => {
    const floor = new TrialFloor(50);
    expect(floor.pick(['twilio'])).toBeUndefined();
    floor.forget('twilio');
    expect(floor.pick(['twilio'])).toBeUndefined();
    expect(floor.pick(['twilio'])).toBe('twilio');
  });
});
