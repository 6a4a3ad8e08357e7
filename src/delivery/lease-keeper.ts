import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import type { NotificationRow } from '../notifications/notification.types';
import { LeaseHeldError } from '../queue/queue.errors';
import { SendBatchRepository } from './send-batch.repository';
import { sendTimings } from '../config/send-timings';

/** This process's hold on one alert it is sending. */
export interface SendLease {
  readonly notificationId: string;
  readonly generation: number;
  /** When the lease ends as far as this process knows (renewals move it on). */
  readonly until: Date;
  /**
   * Call before a provider call. With too little lease left (renewals failing, a slow statement, a
   * stalled process) it renews at once; LeaseHeldError (retry after the lease) when that is refused
   * because the claim is gone or the lease already ran out.
   */
  ensure(): Promise<void>;
  /** A new step began (a provider's turn, a lookup): the stuck clock starts again. */
  progress(): void;
  /** A write renewed the lease (the in-flight attempt does). */
  extended(until: Date): void;
  release(): void;
}

interface Entry {
  id: string;
  generation: number;
  until: Date;
  progressAt: number;
  stuckLogged: boolean;
}

/**
 * Renews the leases of the alerts this process is sending, so that a send slower than SEND_LEASE_MS (a
 * slow provider, a rate-limit wait, lookups) is never taken over while it runs. One fenced statement per
 * tick (a third of the lease) renews every lease that has used up a tick; sends that end sooner are never
 * renewed, so the hot path pays nothing. A lease is not renewed once its step runs past the longest a
 * step can take (the process is stuck: let another dispatcher take over and ask the provider), nor after
 * the keeper stopped (shutdown).
 */
@Injectable()
export class LeaseKeeper {
  private readonly leaseMs: number;
  private readonly tickMs: number;
  private readonly marginMs: number;
  private readonly stuckMs: number;
  private readonly entries = new Set<Entry>();
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private stopped = false;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
    private readonly repo: SendBatchRepository,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.leaseMs = config.get('SEND_LEASE_MS');
    this.tickMs = Math.max(100, Math.floor(this.leaseMs / 3));
    // A healthy lease never drops below about a tick; less than this means renewals are failing.
    this.marginMs = Math.min(1000, Math.floor(this.leaseMs / 6));
    this.stuckMs = sendTimings({
      PROVIDER_TIMEOUT_MS: config.get('PROVIDER_TIMEOUT_MS'),
      CIRCUIT_TIMEOUT_MS: config.get('CIRCUIT_TIMEOUT_MS'),
      PROVIDER_RATE_LIMIT_WAIT_MS: config.get('PROVIDER_RATE_LIMIT_WAIT_MS'),
      PROVIDER_LOOKUP_GRACE_MS: config.get('PROVIDER_LOOKUP_GRACE_MS'),
    }).stepMs;
  }

  /** The lease length a claim or a renewal takes. */
  get lease(): number {
    return this.leaseMs;
  }

  hold(n: Pick<NotificationRow, 'id' | 'lease_generation' | 'lease_until'>): SendLease {
    const now = this.clock.now();
    const entry: Entry = {
      id: n.id,
      generation: n.lease_generation,
      until: n.lease_until ?? now,
      progressAt: now.getTime(),
      stuckLogged: false,
    };
    this.entries.add(entry);
    this.start();
    return {
      notificationId: entry.id,
      generation: entry.generation,
      get until() {
        return entry.until;
      },
      ensure: async () => {
        const now = this.clock.now();
        if (entry.until.getTime() - now.getTime() >= this.marginMs) return;
        const until = new Date(now.getTime() + this.leaseMs);
        const renewed = await this.repo.renewMany([entry], now, until);
        if (!renewed.includes(entry.id)) throw new LeaseHeldError(entry.until);
        entry.until = until;
      },
      progress: () => {
        entry.progressAt = this.clock.now().getTime();
      },
      extended: (until: Date) => {
        if (until > entry.until) entry.until = until;
      },
      release: () => {
        this.entries.delete(entry);
      },
    };
  }

  /** Renews what is due now. Runs on the timer; public so specs can drive it. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const now = this.clock.now();
      const due = [...this.entries].filter((e) => this.isDue(e, now.getTime()));
      if (due.length === 0) return;
      const until = new Date(now.getTime() + this.leaseMs);
      const renewed = new Set(await this.repo.renewMany(due, now, until));
      // Not renewed: claimed again, moved on, or our lease already ran out. No further call may start under
      // it; the job retries and claims again (or finds it is not ours), and our writes are fenced.
      for (const e of due) e.until = renewed.has(e.id) ? until : now;
    } catch (err) {
      // The leases run down; ensure() stops new provider calls before they run out.
      this.logger.warn({ err: (err as Error).message }, 'send lease renewal failed');
    } finally {
      this.ticking = false;
    }
  }

  /** No more renewals (shutdown, after the queue's active jobs ended). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private isDue(e: Entry, now: number): boolean {
    if (e.until.getTime() - now > this.leaseMs - this.tickMs) return false;
    if (now - e.progressAt <= this.stuckMs) return true;
    if (!e.stuckLogged) {
      e.stuckLogged = true;
      this.logger.error(
        { notificationId: e.id, stepMs: now - e.progressAt },
        'send step outran every provider bound; its lease is left to run out so another dispatcher takes over',
      );
    }
    return false;
  }

  private start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    // Renewals never keep a process alive on their own.
    this.timer.unref();
  }
}
