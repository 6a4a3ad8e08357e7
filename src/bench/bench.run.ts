import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DevStack, StackRole } from '../devstack/dev-stack';
import type { RoleProcess } from '../devstack/role-process';
import { waitFor } from '../devstack/wait-for';
import { activitySince, BenchDatabase } from './bench.database';
import { describeHistory, fillRunHistory, HistoryFill } from './bench.history';
import type { BenchOptions } from './bench.options';
import { LagReader, ProgressMonitor } from './bench.progress';
import { buildResult, BenchResult, RunInputs } from './bench.report';
import { verifyExactlyOnce } from './bench.verify';
import { publishContacts, PublishResult, TransactionPublisher } from './bench.workload';
import { summariseDir } from './cpu-profile';
import { cleanupRun, runFloors } from './bench.floors';
import { ProcSampler } from './proc-sampler';

const ROLES: StackRole[] = ['api', 'ingest', 'dispatcher'];
// The sandbox's /sandbox/messages answers at most this many; above it only the totals are compared.
const LISTABLE_MESSAGES = 200_000;

const hrtimeUs = () => Number(process.hrtime.bigint() / 1000n);

/** One benchmark run: a fresh database and namespace, the stack, the load, the readings, the floor. */
export class BenchRun {
  readonly runId = `bench${randomBytes(3).toString('hex')}`;
  private readonly startedAt = new Date().toISOString();
  private readonly profileDir?: string;
  private interrupted = false;
  private publisher?: TransactionPublisher;
  private history: HistoryFill | null = null;

  constructor(
    private readonly o: BenchOptions,
    private readonly root: string,
    private readonly adminUrl: string,
    private readonly log: (line: string) => void,
  ) {
    if (o.profile)
      this.profileDir = path.join(root, 'bench-results', 'profiles', this.startedAt.replace(/[:.]/g, '-'));
  }

  /** Ctrl-C: stop publishing and waiting, skip the floor, and still clean up and report what happened. */
  interrupt(): void {
    this.interrupted = true;
    if (this.publisher) this.publisher.stopped = true;
  }

  async run(): Promise<BenchResult> {
    const existing = this.o.database !== undefined;
    const db = await BenchDatabase.create(
      this.adminUrl,
      this.o.database ?? `alertline_${this.runId}`,
      this.runId,
      existing,
    );
    this.log(
      `== run ${this.runId}: database ${db.name}${this.profileDir ? `, profiles in ${this.profileDir}` : ''}`,
    );
    let stack: DevStack | undefined;
    try {
      if (this.o.history > 0) {
        const env = { ...process.env, ...this.roleEnv() };
        this.history = await fillRunHistory(db.pool, this.o.history, this.o.cardholders, env, this.log);
      } else if (existing) {
        this.history = await describeHistory(db.pool);
      }
      stack = await DevStack.create({
        databaseUrl: db.url,
        namespace: this.runId,
        env: this.roleEnv(),
        replicas: { api: this.o.api, ingest: this.o.ingest, dispatcher: this.o.dispatchers },
        partitions: this.o.partitions,
        echoLogs: this.o.echo,
        nodeArgs: (role, i) => this.nodeArgs(role, i),
      });
      this.log(
        `== starting sandbox, api x${this.o.api}, ingest x${this.o.ingest}, dispatcher x${this.o.dispatchers}`,
      );
      await stack.start();
      return await this.measure(stack, db);
    } finally {
      await stack?.stop();
      if (stack)
        await cleanupRun(stack, this.runId).catch((err: Error) => this.log(`cleanup: ${err.message}`));
      await db.drop(this.o.keepDatabase || existing);
    }
  }

  private roleEnv(): Record<string, string> {
    return {
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      PROVIDERS: 'twilio',
      // The benchmark measures what the pipeline can do; the per-provider contract limit would cap it.
      PROVIDER_RATE_LIMITS: 'twilio:1000000',
      DISPATCHER_CONCURRENCY: String(this.o.concurrency),
      SANDBOX_LATENCY_MS: String(this.o.providerLatencyMs),
      SANDBOX_RECEIPT_DELAY_MS: String(this.o.receiptDelayMs),
      SANDBOX_STORE_LIMIT: String(Math.min(5_000_000, Math.max(200_000, 2 * this.o.events + 10_000))),
      ...this.o.settings,
    };
  }

  private nodeArgs(role: StackRole | 'sandbox', i: number): string[] {
    if (!this.profileDir) return [];
    const dir = path.join(this.profileDir, `${role}-${i}`);
    mkdirSync(dir, { recursive: true });
    return ['--require', path.join(__dirname, 'profile-exit.js'), '--cpu-prof', `--cpu-prof-dir=${dir}`];
  }

  private async measure(stack: DevStack, db: BenchDatabase): Promise<BenchResult> {
    const o = this.o;
    this.log(`== creating ${o.cardholders} cardholders (en-GB and zh-CN)`);
    await publishContacts(stack, o.cardholders);
    await waitFor(
      'contacts to be projected',
      async () => (await db.count('contacts')) >= o.cardholders,
      120_000 + o.cardholders * 10,
      250,
    );

    await db.forgetAlerts();
    if (o.warmup > 0) await this.warmUp(stack, db);
    const { autovacuum } = await db.settle();
    if (!autovacuum)
      this.log('   autovacuum is off on this server: the month was vacuumed before the window');

    const roleProcesses = () => ROLES.flatMap((r) => stack.replicas.get(r) ?? []);
    const sampler = new ProcSampler(
      () => [
        ...ROLES.flatMap((r) => (stack.replicas.get(r) ?? []).map((p) => ({ group: r, pid: p.pid }))),
        { group: 'sandbox', pid: stack.sandbox.pid },
        { group: 'bench (this process)', pid: process.pid },
      ],
      db.name,
    );
    const lag = new LagReader(stack.kafka, stack.topics.transactions, stack.env.KAFKA_GROUP_ID);
    const publisher = new TransactionPublisher(stack, this.runId, o.cardholders);
    this.publisher = publisher;
    const monitor = new ProgressMonitor(
      roleProcesses,
      stack.topics.transactions,
      () => publisher.published,
      lag,
      this.log,
    );
    this.log(`== publishing ${o.events} transactions ${o.rate ? `at ${o.rate}/s` : 'as fast as possible'}`);
    // Counters in the roles' /metrics include the warm-up: the progress lines count from here.
    await monitor.zero();
    const dbBefore = await db.activity();
    sampler.start();
    const windowStart = hrtimeUs();
    const origin = Date.now();
    monitor.start(origin);
    let publish: PublishResult;
    try {
      publish = await publisher.run(o.events, o.rate);
      this.log(
        `   published ${publish.published} in ${((publish.lastAt - publish.firstAt) / 1000).toFixed(2)} s`,
      );
      await this.untilSettled(db, monitor, origin);
    } finally {
      monitor.stop();
      await lag.close();
    }
    const usage = sampler.stop();
    const loadAverage = os.loadavg();
    const windowEnd = hrtimeUs();
    // The last line waits for every role, so it shows the final figures.
    await monitor.sample(origin, 30_000).catch(() => undefined);

    const [times, attempts, texts] = await Promise.all([db.alertTimes(), db.attempts(), db.alertTexts()]);
    const count = await stack.sandboxClient.count('twilio');
    const messages =
      count <= LISTABLE_MESSAGES ? await stack.sandboxClient.messages({ provider: 'twilio' }) : null;
    const ids = Array.from({ length: o.events }, (_, i) => `${this.runId}-tx-${i}`);
    const verification = verifyExactlyOnce(ids, texts, { messages, count });

    // The roles stop (and write their profiles) before the floor is measured on a quiet machine.
    await Promise.all(roleProcesses().map((p: RoleProcess) => p.stop()));
    // Read once the roles' backends have exited: they report their statistics on the way out.
    const database = activitySince(dbBefore, await db.activity());
    const floors =
      o.floor && !this.interrupted ? await runFloors(o, stack, db, this.runId, this.log) : undefined;
    await stack.sandbox.stop();

    const inputs: RunInputs = {
      options: o,
      runId: this.runId,
      database: db.name,
      startedAt: this.startedAt,
      publish,
      times,
      attempts,
      usage,
      machineBusyCores: sampler.machineBusyCores(os.cpus().length),
      windowSeconds: sampler.elapsedSeconds(),
      progress: monitor.samples,
      metricsResponseMs: monitor.responseMs,
      writeBatches: monitor.writeBatches(),
      floors,
      verification,
      databaseActivity: database,
      history: this.history,
      loadAverage,
      profiles: this.profileDir ? summariseDir(this.profileDir, [windowStart, windowEnd]) : undefined,
    };
    return buildResult(inputs);
  }

  /**
   * The same traffic, first, unmeasured: a fresh process runs its first seconds in unoptimised code
   * (at 200/s that alone made the p99 to accepted 247 ms in the first five seconds, 70-90 ms after). The
   * warm-up's sandbox messages are then removed; its alerts stay in the month, as a live month holds
   * earlier alerts (BenchDatabase.settle), and every reading is about the run's own alerts.
   */
  private async warmUp(stack: DevStack, db: BenchDatabase): Promise<void> {
    const o = this.o;
    this.log(
      `== warming up: ${o.warmup} transactions ${o.rate ? `at ${o.rate}/s` : 'as fast as possible'}, not measured`,
    );
    await new TransactionPublisher(stack, `${this.runId}-warm`, o.cardholders).run(o.warmup, o.rate);
    await waitFor(
      'the warm-up alerts to be final',
      async () => (await db.finalCount('warm-up')) >= o.warmup,
      o.stallSeconds * 1000 + o.warmup * 20,
      250,
    );
    await stack.sandboxClient.clearMessages();
    // PostgreSQL backends report their row and commit counts late (PG 15 cumulative statistics: at the
    // next transaction a second later, or after 10 s idle): without this pause part of the warm-up would
    // count in the run's per-alert figures (seen: 10% more rows).
    await new Promise((resolve) => setTimeout(resolve, 11_000));
  }

  /** Until every alert reached a final status, or nothing moved for --stall-seconds. */
  private async untilSettled(db: BenchDatabase, monitor: ProgressMonitor, origin: number): Promise<void> {
    let lastMove = Date.now();
    let lastTotal = -1;
    let lastDbCheck = 0;
    while (!this.interrupted) {
      await new Promise((r) => setTimeout(r, 250));
      const s = monitor.last();
      const total = s ? s.recorded + s.sent + s.delivered : 0;
      if (total !== lastTotal) {
        lastTotal = total;
        lastMove = Date.now();
      }
      // The database decides (alerts can also end FAILED or EXPIRED, which the progress line does not count).
      if ((s && s.delivered >= this.o.events) || Date.now() - lastDbCheck > 5000) {
        lastDbCheck = Date.now();
        if ((await db.finalCount()) >= this.o.events) return;
      }
      if (Date.now() - lastMove > this.o.stallSeconds * 1000) {
        this.log(
          `!! nothing moved for ${this.o.stallSeconds} s after ${((Date.now() - origin) / 1000).toFixed(0)} s: stopping`,
        );
        return;
      }
    }
  }
}
