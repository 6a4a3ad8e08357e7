import type { ChaosDatabase } from './chaos.database';

export interface Sample {
  at: number;
  published: number;
  /** Alerts a provider accepted or that ended; null while the database cannot be read. */
  done: number | null;
}

/**
 * Samples the pipeline's output every half second: how many published transactions a provider has taken
 * (or that ended). The backlog (published - done) is how far behind the offered load the pipeline is.
 */
export class ThroughputMonitor {
  readonly samples: Sample[] = [];
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly db: ChaosDatabase,
    private readonly published: () => number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), 500);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One reading now (also taken at a step's end, so a fault that outlasts the load still gets one after it). */
  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const published = this.published();
    const at = Date.now();
    const done = await this.db.doneCount().catch(() => null);
    this.samples.push({ at, published, done });
    this.busy = false;
  }
}

/**
 * Seconds from the fault's injection until the pipeline is back at the offered rate: the first sample after
 * the fault (and its recovery action) ended whose backlog is within `threshold` alerts, i.e. no more behind
 * than before the fault plus about two seconds of load. Null when it did not get there.
 */
export function recoverySeconds(
  samples: Sample[],
  injectedAt: number,
  faultEndedAt: number,
  threshold: number,
): number | null {
  const back = samples.find(
    (s) => s.at >= faultEndedAt && s.done !== null && s.published - s.done <= threshold,
  );
  return back ? Math.max(0, (back.at - injectedAt) / 1000) : null;
}

/** The largest backlog before the fault: what "keeping up" looked like on this machine at this rate. */
export function baselineBacklog(samples: Sample[], before: number): number {
  return samples
    .filter((s) => s.at < before && s.done !== null)
    .reduce((max, s) => Math.max(max, s.published - (s.done ?? 0)), 0);
}
