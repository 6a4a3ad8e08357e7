import type { OnModuleDestroy } from '@nestjs/common';
import type { AppLogger } from './logger.module';

/**
 * A background job of this process, run every `everyMs`, never twice at a time here (across processes its
 * advisory lock decides: Database.withSessionLock). A run that fails is logged and the next tick tries
 * again; `stop` waits for the run in progress. A timer, not Bull: partition maintenance and the retention
 * run must go on while Redis is away (PostgreSQL alone must be enough).
 */
export class PeriodicRun {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly what: string,
    private readonly work: () => Promise<unknown>,
    private readonly logger: AppLogger,
  ) {}

  /** `immediately: false` waits an interval for the first run (the caller ran one, or nothing waits yet). */
  start(everyMs: number, { immediately = true }: { immediately?: boolean } = {}): void {
    this.timer = setInterval(() => void this.tick(), everyMs);
    this.timer.unref();
    if (immediately) void this.tick();
  }

  /** One run now, or the one in progress if there is one; never rejects (a failure is logged). */
  tick(): Promise<void> {
    this.running ??= this.work()
      .then(
        () => undefined,
        (err: Error) => {
          // The database away or a lock timeout: readiness reports the first, the next tick tries again.
          this.logger.warn({ err: err.message }, `${this.what} failed`);
        },
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

/**
 * A provider whose work is one PeriodicRun: it names the run and writes its `round`, starts it when its
 * own start-up allows, and is stopped with its module. `tick()` runs a round now, or joins the one in
 * progress (specs drive rounds with it).
 */
export abstract class PeriodicRounds implements OnModuleDestroy {
  private readonly rounds: PeriodicRun;

  constructor(what: string, logger: AppLogger) {
    this.rounds = new PeriodicRun(what, () => this.round(), logger);
  }

  protected abstract round(): Promise<void>;

  protected startRounds(everyMs: number, options?: { immediately?: boolean }): void {
    this.rounds.start(everyMs, options);
  }

  tick(): Promise<void> {
    return this.rounds.tick();
  }

  async onModuleDestroy(): Promise<void> {
    await this.rounds.stop();
  }
}
