/**
 * Batched timers: callbacks due in the same `resolutionMs` window share one setTimeout. At the benchmark's
 * 2,000+ sends/s each message needs two or three delayed actions (latency, "sent", final receipt); one
 * timer per window keeps that to a few hundred timers a second instead of thousands. A callback runs at
 * most `resolutionMs` late, never early.
 */
export class TimerWheel {
  private readonly buckets = new Map<number, Array<() => void>>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly resolutionMs = 5,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  schedule(delayMs: number, fn: () => void): void {
    if (this.stopped) return;
    const due = Math.ceil((Date.now() + Math.max(0, delayMs)) / this.resolutionMs) * this.resolutionMs;
    let bucket = this.buckets.get(due);
    if (!bucket) {
      bucket = [];
      this.buckets.set(due, bucket);
      const timer = setTimeout(() => this.fire(due), Math.max(0, due - Date.now()));
      // Pending receipts alone must not keep a process (or a test run) alive.
      timer.unref();
      this.timers.set(due, timer);
    }
    bucket.push(fn);
  }

  /** Resolves after `delayMs` (0 resolves at once, without a timer). */
  delay(delayMs: number): Promise<void> {
    if (delayMs <= 0) return Promise.resolve();
    return new Promise((resolve) => this.schedule(delayMs, resolve));
  }

  get pending(): number {
    let n = 0;
    for (const bucket of this.buckets.values()) n += bucket.length;
    return n;
  }

  /** Drops everything still scheduled; used on shutdown. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.buckets.clear();
  }

  private fire(due: number): void {
    const bucket = this.buckets.get(due);
    this.buckets.delete(due);
    this.timers.delete(due);
    if (!bucket) return;
    for (const fn of bucket) {
      try {
        fn();
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
