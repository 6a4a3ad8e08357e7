import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '../devstack/wait-for';
import { ratePerSecond } from './bench.stats';
import type { FloorJob, FloorProgress } from './floor.types';
import { ProcSampler } from './proc-sampler';

// The infrastructure floor: what Kafka, PostgreSQL, Bull/Redis and HTTP to the sandbox do on this machine
// with no pipeline code in between, each measured alone, in worker processes shaped like the roles.

export type FloorName = 'kafkaConsume' | 'postgresInsert' | 'bullJobs' | 'httpSend';

export interface FloorResult {
  what: string;
  items: number;
  seconds: number;
  rate: number;
  processes: number;
  concurrency: number;
  /** CPU milliseconds per item of the worker processes and the services they drove, while measuring. */
  cpuMsPerItem: Record<string, number>;
}

export interface FloorContext {
  items: number;
  ingestProcesses: number;
  dispatchers: number;
  /** Bull jobs per dispatcher at once. */
  concurrency: number;
  /** Partitions an ingest works on at once (kafkajs partitionsConsumedConcurrently). */
  ingestConcurrency: number;
  kafka: NonNullable<FloorJob['kafka']>;
  pg: NonNullable<FloorJob['pg']>;
  bull: NonNullable<FloorJob['bull']>;
  http: NonNullable<FloorJob['http']>;
  /** The run's database (its backends count as postgres) and the sandbox's pid (for the HTTP floor). */
  database: string;
  sandboxPid?: number;
}

const WORKER = path.join(__dirname, 'floor.worker.js');
const TIMEOUT_MS = 300_000;

class FloorWorker {
  latest: FloorProgress = { type: 'progress', items: 0, startedAt: 0, lastAt: 0 };
  readonly done: Promise<FloorProgress>;
  /** Resolves with the worker's first message: a consumer is connected and waiting. */
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;

  constructor(readonly job: FloorJob) {
    this.child = fork(WORKER, [JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise((resolve) => this.child.once('message', () => resolve()));
    this.done = new Promise((resolve, reject) => {
      this.child.on('message', (m: FloorProgress) => {
        this.latest = m;
        if (m.type === 'done') resolve(m);
      });
      this.child.on('exit', (code) =>
        reject(new Error(`floor worker ${job.mode} exited with ${code} before its result`)),
      );
    });
    // Awaited by measure(); a worker killed after a failure elsewhere must not crash the benchmark.
    this.done.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  stop(): void {
    // A worker that already finished may have closed the channel: nothing to stop then.
    if (this.child.connected) this.child.send('stop', () => undefined);
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await new Promise((resolve) => this.child.once('exit', resolve));
    clearTimeout(killer);
  }
}

interface Measure {
  workers: FloorWorker[];
  /** The workers whose items are counted (the consumers, or the producers when they do the whole job). */
  countOn: FloorWorker[];
  target: number;
  /** The clock starts when this worker started (the producer), else at the first counted worker's start. */
  clockFrom?: FloorWorker;
  /** Other processes whose CPU belongs to this floor (the sandbox for HTTP). */
  also?: Array<{ group: string; pid: number | undefined }>;
  database: string;
}

/** Runs the workers until the counted ones reach `target` items (or all finish), then stops them. */
async function measure(what: string, m: Measure): Promise<FloorResult> {
  const workers = () => m.workers.map((w) => ({ group: 'workers', pid: w.pid }));
  const sampler = new ProcSampler(() => [...workers(), ...(m.also ?? [])], m.database);
  sampler.start();
  try {
    const total = () => m.countOn.reduce((s, w) => s + w.latest.items, 0);
    const finished = () => m.countOn.every((w) => w.latest.type === 'done');
    // A worker that dies ends the wait at once with its error.
    const failure = Promise.all(m.workers.map((w) => w.done)).then(() => new Promise<never>(() => undefined));
    await Promise.race([
      waitFor(`${what}: ${m.target} items`, () => total() >= m.target || finished(), TIMEOUT_MS, 20),
      failure,
    ]);
    for (const w of m.workers) w.stop();
    await Promise.all(m.workers.map((w) => w.done));
    const usage = sampler.stop();
    const counted = m.countOn.map((w) => w.latest);
    const begin =
      m.clockFrom?.latest.startedAt ?? Math.min(...counted.map((r) => r.startedAt).filter((t) => t > 0));
    const end = Math.max(...counted.map((r) => r.lastAt));
    const items = counted.reduce((s, r) => s + r.items, 0);
    return {
      what,
      items,
      seconds: (end - begin) / 1000,
      rate: ratePerSecond(items, begin, end),
      processes: m.countOn.length,
      concurrency: 0,
      cpuMsPerItem: Object.fromEntries(
        usage
          .filter((u) => u.cpuSeconds > 0)
          .map((u) => [u.group, (u.cpuSeconds * 1000) / Math.max(1, items)]),
      ),
    };
  } finally {
    sampler.stop();
    for (const w of m.workers) w.stop();
    await Promise.all(m.workers.map((w) => w.exit()));
  }
}

const share = (items: number, n: number, i: number) => Math.floor(items / n) + (i < items % n ? 1 : 0);

export async function measureFloors(
  ctx: FloorContext,
  log: (line: string) => void,
): Promise<Record<FloorName, FloorResult>> {
  const out = {} as Record<FloorName, FloorResult>;
  const note = (name: FloorName, r: FloorResult, concurrency: number) => {
    out[name] = { ...r, concurrency };
    const cpu = Object.entries(r.cpuMsPerItem).map(([g, ms]) => `${g} ${ms.toFixed(3)}`);
    log(
      `  floor ${r.what}: ${Math.round(r.rate)}/s (${r.items} in ${r.seconds.toFixed(2)} s; cpu ms/item: ${cpu.join(', ')})`,
    );
  };

  const common = { database: ctx.database, target: ctx.items };
  const connections = ctx.ingestProcesses * ctx.ingestConcurrency;
  const worker = (mode: FloorJob['mode'], items: number, concurrency: number) =>
    new FloorWorker({
      mode,
      items,
      concurrency,
      kafka: ctx.kafka,
      pg: ctx.pg,
      bull: ctx.bull,
      http: ctx.http,
    });

  const consumers = Array.from({ length: ctx.ingestProcesses }, () =>
    worker('kafka-consume', 0, ctx.ingestConcurrency),
  );
  const kafka = await measure('kafka consume (eachBatch, no work)', {
    ...common,
    workers: consumers,
    countOn: consumers,
  });
  note('kafkaConsume', kafka, ctx.ingestConcurrency);

  const inserter = worker('pg-insert', ctx.items, connections);
  const pgWhat = `postgres insert (UNNEST, ${ctx.pg.batch} rows/statement/tx)`;
  note(
    'postgresInsert',
    await measure(pgWhat, { ...common, workers: [inserter], countOn: [inserter] }),
    connections,
  );

  const processors = Array.from({ length: ctx.dispatchers }, () =>
    worker('bull-process', 0, ctx.concurrency),
  );
  // Processors first, so the time runs from the first add to the last job done.
  await Promise.all(processors.map((p) => p.ready));
  const adder = worker('bull-add', ctx.items, connections);
  const bull = await measure('bull addBulk + no-op process', {
    ...common,
    workers: [...processors, adder],
    countOn: processors,
    clockFrom: adder,
  });
  note('bullJobs', bull, ctx.concurrency);

  const senders = Array.from({ length: ctx.dispatchers }, (_, i) =>
    worker('http-send', share(ctx.items, ctx.dispatchers, i), ctx.concurrency),
  );
  const http = await measure('http round trips (twilio SDK -> sandbox)', {
    ...common,
    workers: senders,
    countOn: senders,
    also: [{ group: 'sandbox', pid: ctx.sandboxPid }],
  });
  note('httpSend', http, ctx.concurrency);
  return out;
}
