import type { Admin, Kafka } from 'kafkajs';
import type { RoleProcess } from '../devstack/role-process';

// One line a second while the benchmark runs, from the roles' own /metrics (cheap, and independent of the
// database under test), and the consumer lag of the ingest group from the Kafka admin API.

/** Sum of one Prometheus sample family whose labels include all of `labels`. */
export function sumSamples(exposition: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value) && wanted.every((w) => rest.includes(`{${w}`) || rest.includes(`,${w}`)))
      total += value;
  }
  return total;
}

export interface ProgressSample {
  /** Seconds since the first publish. */
  t: number;
  published: number;
  recorded: number;
  sent: number;
  delivered: number;
  /** Messages published but not yet committed by the ingest group. */
  lag: number;
}

export class LagReader {
  private admin?: Admin;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly groupId: string,
  ) {}

  async lag(): Promise<number> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    const [latest, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(this.topic),
      this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
    ]);
    // A committed offset is the next one to read; -1 means nothing committed yet.
    const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
    return latest.reduce((sum, p) => {
      const from = done.get(p.partition) ?? -1;
      return sum + Math.max(0, Number(p.high) - (from < 0 ? Number(p.low) : from));
    }, 0);
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
  }
}

// How long a progress line waits for the roles' /metrics; a role whose event loop is busy answers later
// and its line shows the last figures it gave.
const LINE_WAIT_MS = 900;

export class ProgressMonitor {
  readonly samples: ProgressSample[] = [];
  /** Response times of each role's /metrics, ms: a busy (blocked) event loop shows here. */
  readonly responseMs = new Map<string, number[]>();
  private readonly pages = new Map<RoleProcess, string>();
  private readonly zeroPages = new Map<RoleProcess, string>();
  private readonly inFlight = new Map<RoleProcess, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly processes: () => RoleProcess[],
    private readonly transactionsTopic: string,
    private readonly published: () => number,
    private readonly lagReader: LagReader,
    private readonly print: (line: string) => void,
  ) {}

  start(originMs: number): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      void this.sample(originMs).finally(() => (this.busy = false));
    }, 1000);
  }

  last(): ProgressSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  async sample(originMs: number, waitMs = LINE_WAIT_MS): Promise<ProgressSample> {
    const at = Date.now();
    const published = this.published();
    const processes = this.processes();
    await Promise.race([Promise.all(processes.map((p) => this.refresh(p))), sleep(waitMs)]);
    const sum = (name: string, labels: Record<string, string>) => this.sinceZero(name, labels, processes);
    const s: ProgressSample = {
      t: Math.round((at - originMs) / 100) / 10,
      published,
      recorded: sum('alertline_events_consumed_total', {
        topic: this.transactionsTopic,
        outcome: 'accepted',
      }),
      sent: sum('alertline_notifications_total', { status: 'SENT' }),
      delivered: sum('alertline_notifications_total', { status: 'DELIVERED' }),
      lag: await this.lagReader.lag().catch(() => NaN),
    };
    this.samples.push(s);
    this.print(
      `  ${s.t.toFixed(1).padStart(6)}s  published ${s.published}  recorded ${s.recorded}  sent ${s.sent}  delivered ${s.delivered}  lag ${s.lag}`,
    );
    return s;
  }

  /** From now on every figure counts from the roles' current counters (a warm-up came before). */
  async zero(): Promise<void> {
    const processes = this.processes();
    await Promise.all(processes.map((p) => this.refresh(p)));
    for (const p of processes) this.zeroPages.set(p, this.pages.get(p) ?? '');
  }

  /** A counter summed over the processes, less what it was at zero(). */
  private sinceZero(
    name: string,
    labels: Record<string, string>,
    processes = [...this.pages.keys()],
  ): number {
    return processes.reduce(
      (s, p) =>
        s +
        sumSamples(this.pages.get(p) ?? '', name, labels) -
        sumSamples(this.zeroPages.get(p) ?? '', name, labels),
      0,
    );
  }

  /** One scrape at a time per process; a slow one keeps running and updates the figures when it answers. */
  private refresh(p: RoleProcess): Promise<void> {
    let pending = this.inFlight.get(p);
    if (!pending) {
      const started = Date.now();
      pending = scrape(p.baseUrl)
        .then((page) => {
          if (page) this.pages.set(p, page);
          const times = this.responseMs.get(p.role) ?? [];
          times.push(Date.now() - started);
          this.responseMs.set(p.role, times);
        })
        .finally(() => this.inFlight.delete(p));
      this.inFlight.set(p, pending);
    }
    return pending;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The roles' grouped database writes (alertline_write_batch_size) as of the last scrape, by kind. */
  writeBatches(): Record<string, WriteBatchFigures> {
    const sum = (name: string, batch: string) => this.sinceZero(name, { batch });
    const out: Record<string, WriteBatchFigures> = {};
    for (const batch of WRITE_BATCHES) {
      const flushes = sum('alertline_write_batch_size_count', batch);
      if (flushes === 0) continue;
      out[batch] = {
        flushes,
        meanItems: Math.round((sum('alertline_write_batch_size_sum', batch) / flushes) * 10) / 10,
        fallbacks: sum('alertline_write_batch_fallbacks_total', batch),
      };
    }
    return out;
  }
}

const WRITE_BATCHES = ['claim', 'attempt', 'sent', 'receipt', 'intermediate'] as const;

export interface WriteBatchFigures {
  flushes: number;
  meanItems: number;
  /** Flushes that failed as a whole and were redone item by item. */
  fallbacks: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function scrape(baseUrl: string): Promise<string> {
  try {
    const res = await fetch(`${baseUrl}/metrics`);
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}
