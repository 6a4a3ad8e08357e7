import { randomBytes } from 'node:crypto';
import { DevStack } from '../devstack/dev-stack';
import { waitFor } from '../devstack/wait-for';
import { deleteKafkaState } from '../bench/bench.cleanup';
import { publishContacts } from '../bench/bench.workload';
import { ChaosDatabase } from './chaos.database';
import { ChaosContext, FaultStep, FAULTS, QUICK_FAULTS } from './chaos.faults';
import { ReceiptReplayer, SteadyLoad, WebhookAnswers } from './chaos.load';
import { baselineBacklog, recoverySeconds, ThroughputMonitor } from './chaos.monitor';
import type { ChaosOptions } from './chaos.options';
import { StepVerification, verifyStep } from './chaos.verify';
import { PrivateKafka } from './private-kafka';
import { PrivatePostgres } from './private-postgres';
import { PrivateRedis } from './private-redis';

const FAULT_AT_SECONDS = 5;
// The demo defaults of the sandbox's Twilio (src/config/config.schema.ts).
const TWILIO_AUTH_TOKEN = 'sandbox-twilio-auth-token';
const TWILIO_ACCOUNT_SID = 'AC00000000000000000000000000000001';

export interface StepResult {
  name: string;
  fault: string;
  graceful: boolean;
  note: string;
  error?: string;
  offered: number;
  published: number;
  /** The publisher stayed within a second of its schedule (it falls behind only while the broker is away). */
  loadHeld: boolean;
  maxPublishBehindSeconds: number;
  publishFailures: number;
  recoverSeconds: number | null;
  verification: StepVerification;
  webhooks: WebhookAnswers;
  /** Role processes that exited without being stopped on purpose, and those not running at the step's end. */
  unexpectedExits: string[];
}

export interface ChaosResult {
  startedAt: string;
  finishedAt: string;
  options: ChaosOptions;
  machine: { cpus: number; loadAverage: number[] };
  steps: StepResult[];
  /** Every transaction of the run, checked again at the end. */
  final: StepVerification;
  /** Each role process at the end of the run: running or not. */
  rolesAtEnd: Array<{ role: string; pid?: number; running: boolean }>;
  ok: boolean;
  problems: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ChaosRun {
  readonly runId = `chaos${randomBytes(3).toString('hex')}`;

  constructor(
    private readonly o: ChaosOptions,
    private readonly root: string,
    private readonly log: (line: string) => void,
  ) {}

  steps(): FaultStep[] {
    const names = this.o.only ?? (this.o.quick ? QUICK_FAULTS : FAULTS.map((f) => f.name));
    return names.map((n) => {
      const step = FAULTS.find((f) => f.name === n);
      if (!step) throw new Error(`unknown fault step "${n}"; known: ${FAULTS.map((f) => f.name).join(', ')}`);
      return step;
    });
  }

  async run(): Promise<ChaosResult> {
    const startedAt = new Date().toISOString();
    const steps = this.steps();
    const needsBroker = !this.o.quick || steps.some((s) => s.name === 'kafka-broker-sigkill');
    this.log(`== ${this.runId}: private PostgreSQL, Redis${needsBroker ? ' and Kafka broker' : ''}`);
    const pg = await PrivatePostgres.create();
    let redis: PrivateRedis | undefined;
    let kafka: PrivateKafka | undefined;
    let stack: DevStack | undefined;
    let db: ChaosDatabase | undefined;
    try {
      redis = await PrivateRedis.create();
      if (needsBroker) kafka = await PrivateKafka.create(this.root);
      const url = await pg.createDatabase('alertline_chaos');
      this.log(
        `   postgres :${pg.port}, redis :${redis.port}, kafka ${kafka?.brokers.join(',') ?? '(shared)'}`,
      );
      stack = await DevStack.create({
        databaseUrl: url,
        brokers: kafka?.brokers,
        namespace: this.runId,
        echoLogs: this.o.echo,
        env: this.roleEnv(redis.url),
      });
      this.log('== starting sandbox, api, ingest, dispatcher');
      // Role start-up on a loaded 2-core machine took up to 85 s in the full run.
      await stack.start(180_000);
      db = new ChaosDatabase(url);
      const chaosDb = db;
      this.log(`== ${this.o.cardholders} cardholders`);
      await publishContacts(stack, this.o.cardholders);
      await waitFor(
        'the contacts to be projected',
        async () => (await chaosDb.count('contacts')) >= this.o.cardholders,
        180_000,
        500,
      );
      const ctx: ChaosContext = {
        stack,
        pg,
        redis,
        kafka,
        deadlineSeconds: this.o.deadlineSeconds,
        onPurpose: new Set(),
        extras: [],
        log: this.log,
      };
      const result = await this.runSteps(ctx, chaosDb, steps);
      return { ...result, startedAt, finishedAt: new Date().toISOString(), options: this.o };
    } finally {
      await db?.end().catch(() => undefined);
      await stack?.stop().catch(() => undefined);
      if (stack && !kafka)
        await deleteKafkaState(
          stack.kafka,
          [
            stack.topics.transactions,
            `${stack.topics.transactions}.dlq`,
            stack.topics.contacts,
            `${stack.topics.contacts}.dlq`,
          ],
          [`${this.runId}-ingest`, `${this.runId}-contacts`],
        ).catch(() => undefined);
      await kafka?.destroy();
      await redis?.kill();
      await pg.destroy();
    }
  }

  private roleEnv(redisUrl: string): Record<string, string> {
    return {
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      REDIS_URL: redisUrl,
      ALERT_DEADLINE_SECONDS: String(this.o.deadlineSeconds),
      // Receipts lost while the api is down are recovered by asking the provider; soon, so a step settles.
      RECEIPT_SLA_SECONDS: '15',
      // On even under NODE_ENV=test (a jest run): it is off there only because test stacks share one
      // database, and this stack's PostgreSQL is its own. Without it, receipts a stopped api refused and
      // SENDING alerts whose lease lapsed wait for ever (the quick run inside jest left 209 non-final).
      SWEEP_ENABLED: 'true',
      SWEEP_RECHECK_SECONDS: '15',
      SWEEP_INTERVAL_MS: '5000',
      SANDBOX_STORE_LIMIT: '2000000',
    };
  }

  private async runSteps(ctx: ChaosContext, db: ChaosDatabase, steps: FaultStep[]) {
    const stack = ctx.stack;
    const load = new SteadyLoad(stack, this.runId, this.o.cardholders);
    const replayer = new ReceiptReplayer(stack, TWILIO_AUTH_TOKEN, TWILIO_ACCOUNT_SID);
    replayer.start();
    const results: StepResult[] = [];
    const runStart = Date.now();
    try {
      for (const step of steps) results.push(await this.runStep(ctx, db, load, replayer, step));
    } finally {
      replayer.stop();
    }
    this.log('== final check of every transaction published');
    const all = Array.from({ length: load.published }, (_, i) => load.transactionId(i));
    const final = verifyStep(
      all,
      await db.alerts(all),
      await stack.sandboxClient.messages({ since: new Date(runStart - 1000).toISOString() }),
    );
    const processes = [...[...stack.replicas.values()].flat(), stack.sandbox];
    const rolesAtEnd = processes.map((p) => ({ role: p.role, pid: p.pid, running: p.running }));
    const problems = [
      ...results.flatMap((r) => [
        ...(r.error ? [`${r.name}: ${r.error}`] : []),
        ...r.unexpectedExits.map((e) => `${r.name}: ${e}`),
        ...(r.verification.lost ? [`${r.name}: ${r.verification.lost} lost`] : []),
        ...(r.verification.nonFinal ? [`${r.name}: ${r.verification.nonFinal} left non-final`] : []),
        ...(r.verification.duplicates > r.verification.explainedDuplicates
          ? [
              `${r.name}: ${r.verification.duplicates - r.verification.explainedDuplicates} unexplained duplicates`,
            ]
          : []),
        ...(r.graceful && r.webhooks.server5xx
          ? [`${r.name}: ${r.webhooks.server5xx} receipts answered 5xx during a graceful stop`]
          : []),
      ]),
      ...(final.lost ? [`final: ${final.lost} lost`] : []),
      ...(final.nonFinal ? [`final: ${final.nonFinal} left non-final`] : []),
      ...rolesAtEnd.filter((r) => !r.running).map((r) => `${r.role} (pid ${r.pid}) not running at the end`),
    ];
    return {
      machine: {
        cpus: (await import('node:os')).cpus().length,
        loadAverage: (await import('node:os')).loadavg(),
      },
      steps: results,
      final,
      rolesAtEnd,
      ok: problems.length === 0,
      problems,
    };
  }

  private async runStep(
    ctx: ChaosContext,
    db: ChaosDatabase,
    load: SteadyLoad,
    replayer: ReceiptReplayer,
    step: FaultStep,
  ): Promise<StepResult> {
    const o = this.o;
    this.log(`== ${step.name}: ${step.fault}`);
    ctx.onPurpose.clear();
    replayer.take();
    const unexpected: string[] = [];
    const watched = () => [...[...ctx.stack.replicas.values()].flat(), ctx.stack.sandbox, ...ctx.extras];
    const watcher = setInterval(() => {
      for (const p of watched())
        if (
          !p.running &&
          !ctx.onPurpose.has(p) &&
          !unexpected.some((u) => u.startsWith(`${p.role} pid ${p.pid}`))
        )
          unexpected.push(`${p.role} pid ${p.pid} exited with ${p.lastExitCode}`);
    }, 500);
    const monitor = new ThroughputMonitor(db, () => load.published);
    monitor.start();
    const stepStart = Date.now();
    const loading = load.run(o.duration, o.rate);
    await sleep((step.at ?? FAULT_AT_SECONDS) * 1000);
    const injectedAt = Date.now();
    let note = '';
    let error: string | undefined;
    try {
      note = await step.inject(ctx);
    } catch (err) {
      error = (err as Error).message;
    }
    const faultEndedAt = Date.now();
    const window = await loading;
    const ids = Array.from({ length: window.end - window.first }, (_, i) =>
      load.transactionId(window.first + i),
    );
    this.log(`   ${note || error}; published ${ids.length}; waiting for every alert to end`);
    await waitFor(
      `${step.name}: every alert final`,
      async () => (await db.nonFinal(ids)) === 0,
      o.settleSeconds * 1000,
      1000,
    ).catch(() => undefined);
    monitor.stop();
    await monitor.sample();
    clearInterval(watcher);
    const threshold = Math.max(2 * o.rate, 1.5 * baselineBacklog(monitor.samples, injectedAt));
    const messages = await ctx.stack.sandboxClient.messages({
      since: new Date(stepStart - 1000).toISOString(),
    });
    const verification = verifyStep(ids, await db.alerts(ids), messages);
    const result: StepResult = {
      name: step.name,
      fault: step.fault,
      graceful: !!step.graceful,
      note,
      error,
      offered: Math.round(o.duration * o.rate),
      published: ids.length,
      loadHeld: window.maxBehindSeconds < 1,
      maxPublishBehindSeconds: window.maxBehindSeconds,
      publishFailures: window.publishFailures,
      recoverSeconds: recoverySeconds(monitor.samples, injectedAt, faultEndedAt, threshold),
      verification,
      webhooks: replayer.take(),
      unexpectedExits: unexpected,
    };
    const v = verification;
    this.log(
      `   recovered ${result.recoverSeconds ?? 'never'} s; lost ${v.lost}, duplicates ${v.duplicates}, non-final ${v.nonFinal}, 5xx ${result.webhooks.server5xx}${unexpected.length ? `; EXITS: ${unexpected.join(', ')}` : ''}`,
    );
    for (const e of v.examples) this.log(`     ${e}`);
    return result;
  }
}
