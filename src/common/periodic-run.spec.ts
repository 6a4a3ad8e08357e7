import pino from 'pino';
import { PeriodicRounds, PeriodicRun } from './periodic-run';

describe('PeriodicRun', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs at once and on every tick, never two runs at a time, and goes on after a failure', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const finish: Array<(fail: boolean) => void> = [];
    const run = new PeriodicRun(
      'test job',
      () =>
        new Promise((resolve, reject) =>
          finish.push((fail) => (fail ? reject(new Error('db away')) : resolve(1))),
        ),
      logger,
    );
    run.start(1000);
    expect(finish).toHaveLength(1);
    // Ticks while the first run is still going start nothing.
    await jest.advanceTimersByTimeAsync(3000);
    expect(finish).toHaveLength(1);
    finish[0](true);
    await jest.advanceTimersByTimeAsync(1000);
    expect(finish).toHaveLength(2);
    expect(warnings.join('')).toContain('test job failed');
    expect(warnings.join('')).toContain('db away');
    // stop waits for the run in progress and no tick starts another.
    const stopped = run.stop();
    finish[1](false);
    await stopped;
    await jest.advanceTimersByTimeAsync(5000);
    expect(finish).toHaveLength(2);
  });

  it('can wait an interval for its first run, and a tick during a run joins it', async () => {
    const logger = pino({ level: 'silent' });
    const finish: Array<() => void> = [];
    const run = new PeriodicRun(
      'test job',
      () => new Promise<void>((resolve) => finish.push(resolve)),
      logger,
    );
    run.start(1000, { immediately: false });
    expect(finish).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1000);
    expect(finish).toHaveLength(1);
    const joined = run.tick();
    expect(finish).toHaveLength(1);
    finish[0]();
    await joined;
    // Once it ended, the next tick runs anew.
    const next = run.tick();
    expect(finish).toHaveLength(2);
    finish[1]();
    await next;
    await run.stop();
  });

  it('PeriodicRounds runs its round on the timer it starts and is stopped with its module', async () => {
    class Rounds extends PeriodicRounds {
      runs = 0;
      constructor() {
        super('test rounds', pino({ level: 'silent' }));
      }
      start(): void {
        this.startRounds(1000);
      }
      protected round(): Promise<void> {
        this.runs += 1;
        return Promise.resolve();
      }
    }
    const rounds = new Rounds();
    await rounds.tick();
    expect(rounds.runs).toBe(1);
    rounds.start();
    await jest.advanceTimersByTimeAsync(2000);
    expect(rounds.runs).toBe(4);
    await rounds.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(5000);
    expect(rounds.runs).toBe(4);
  });
});
