import fc from 'fast-check';
import { decide, HealthStatus, HealthThresholds, WindowStats } from './delivery-health';

const T: HealthThresholds = {
  minSample: 10,
  demoteBelowPercent: 80,
  restoreAtPercent: 90,
  demoteDelayMs: 60_000,
  restoreDelayMs: 30_000,
  minStateMs: 120_000,
};
const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);
const stats = (sample: number, delivered: number, delayP90Ms: number | null = 1000): WindowStats => ({
  sample,
  delivered,
  delayP90Ms: delivered ? delayP90Ms : null,
});
const healthy: HealthStatus = { state: 'HEALTHY', since: at(0), reason: null };

describe('delivery health: when a provider moves down the route and back', () => {
  it('starts HEALTHY and is demoted on a low delivered share, saying why', () => {
    const d = decide(undefined, stats(25, 3), at(10), T);
    expect(d).toEqual({
      state: 'DEMOTED',
      since: at(10),
      reason: 'delivery health 12% < 80% (3 of 25 delivered)',
      change: 'demoted',
    });
  });

  it('is demoted on a slow p90 delay even when everything arrives', () => {
    expect(decide(healthy, stats(20, 20, 75_000), at(10), T)).toMatchObject({
      state: 'DEMOTED',
      reason: 'p90 delivery delay 75 s > 60 s (20 of 20 delivered)',
    });
  });

  it('changes nothing on a sample below the minimum, however bad', () => {
    expect(decide(healthy, stats(9, 0), at(10), T)).toBe(healthy);
  });

  it('keeps a share between the thresholds where it is (hysteresis)', () => {
    const demoted = decide(healthy, stats(20, 10), at(10), T);
    // 85% is above the demotion threshold and below the restoring one: no change either way.
    expect(decide(healthy, stats(20, 17), at(500), T)).toBe(healthy);
    expect(decide(demoted, stats(20, 17), at(500), T)).toBe(demoted);
    expect(decide(demoted, stats(20, 18), at(500), T)).toMatchObject({
      state: 'HEALTHY',
      change: 'restored',
      reason: 'delivery health 90% >= 90%, p90 delivery delay 1.0 s <= 30 s (18 of 20 delivered)',
    });
  });

  it('holds a state entered by a change for the minimum time', () => {
    const demoted = decide(healthy, stats(20, 0), at(10), T);
    expect(decide(demoted, stats(20, 20), at(129), T)).toBe(demoted);
    expect(decide(demoted, stats(20, 20), at(130), T).state).toBe('HEALTHY');
  });

  it('restores only when the delay is back under its own threshold too', () => {
    const demoted = decide(healthy, stats(20, 20, 90_000), at(10), T);
    expect(decide(demoted, stats(20, 20, 45_000), at(500), T)).toBe(demoted);
    expect(decide(demoted, stats(20, 20, 30_000), at(500), T).state).toBe('HEALTHY');
  });

  const window = fc.record({
    sample: fc.integer({ min: 0, max: 200 }),
    deliveredShare: fc.double({ min: 0, max: 1, noNaN: true }),
    delay: fc.integer({ min: 0, max: 200_000 }),
    step: fc.integer({ min: 0, max: 300_000 }),
  });
  const run = (windows: Array<{ sample: number; deliveredShare: number; delay: number; step: number }>) => {
    let status: HealthStatus | undefined;
    let t = 0;
    const seen: Array<{
      w: WindowStats;
      before: HealthStatus | undefined;
      after: HealthStatus;
      now: number;
    }> = [];
    for (const w of windows) {
      t += w.step;
      const s = stats(w.sample, Math.round(w.sample * w.deliveredShare), w.delay);
      const before = status;
      status = decide(status, s, new Date(t), T);
      seen.push({ w: s, before, after: status, now: t });
    }
    return seen;
  };

  it('over any sequence of windows: no change on a small sample, none before the minimum time, each with a reason', () => {
    fc.assert(
      fc.property(fc.array(window, { maxLength: 60 }), (windows) => {
        for (const { w, before, after, now } of run(windows)) {
          const changed = (before?.state ?? 'HEALTHY') !== after.state;
          if (!changed) continue;
          expect(w.sample).toBeGreaterThanOrEqual(T.minSample);
          if (before?.reason) expect(now - before.since.getTime()).toBeGreaterThanOrEqual(T.minStateMs);
          expect(after.since.getTime()).toBe(now);
          expect(after.reason).toMatch(/delivery (health|delay)/);
        }
      }),
    );
  });

  it('over any sequence: demoted only below the demotion thresholds, restored only past the restoring ones', () => {
    fc.assert(
      fc.property(fc.array(window, { maxLength: 60 }), (windows) => {
        for (const { w, before, after } of run(windows)) {
          const percent = (w.delivered / w.sample) * 100;
          if ((before?.state ?? 'HEALTHY') === 'HEALTHY' && after.state === 'DEMOTED') {
            expect(percent < T.demoteBelowPercent || (w.delayP90Ms ?? 0) > T.demoteDelayMs).toBe(true);
          }
          if (before?.state === 'DEMOTED' && after.state === 'HEALTHY') {
            expect(percent).toBeGreaterThanOrEqual(T.restoreAtPercent);
            expect(w.delayP90Ms ?? 0).toBeLessThanOrEqual(T.restoreDelayMs);
          }
        }
      }),
    );
  });

  it('never flaps on a window that stays between the thresholds, whatever came before', () => {
    fc.assert(
      fc.property(
        fc.array(window, { maxLength: 20 }),
        fc.integer({ min: 81, max: 89 }),
        fc.integer({ min: 1, max: 30 }),
        (prefix, percent, n) => {
          const seen = run(prefix);
          let status = seen[seen.length - 1]?.after;
          const settled = status;
          for (let i = 1; i <= n; i++) {
            // 81-89% delivered with a delay between the two delay thresholds: inside both gaps.
            status = decide(status, stats(100, percent, 45_000), new Date(1e12 + i * 1e6), T);
          }
          expect(status?.state ?? 'HEALTHY').toBe(settled?.state ?? 'HEALTHY');
        },
      ),
    );
  });
});
