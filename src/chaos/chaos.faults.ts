import type { DevStack, StackRole } from '../devstack/dev-stack';
import { freePort } from '../devstack/free-port';
import { RoleProcess } from '../devstack/role-process';
import type { PrivateKafka } from './private-kafka';
import type { PrivatePostgres } from './private-postgres';
import type { PrivateRedis } from './private-redis';

export interface ChaosContext {
  stack: DevStack;
  pg: PrivatePostgres;
  redis: PrivateRedis;
  /** The private broker; absent in --quick, which kills no broker and uses the shared one. */
  kafka?: PrivateKafka;
  deadlineSeconds: number;
  /** Processes stopped on purpose in this step; any other process that exits is a failure of the run. */
  onPurpose: Set<RoleProcess>;
  /** A second ingest that joins during the rebalance step, shown in the liveness check while it runs. */
  extras: RoleProcess[];
  log: (line: string) => void;
}

export interface FaultStep {
  name: string;
  /** What is done, for the table. */
  fault: string;
  /**
   * A graceful stop: no webhook may get a 5xx. (While the database itself is away the api answers 5xx on
   * purpose: a receipt it cannot store must be sent again, not acknowledged.)
   */
  graceful?: boolean;
  /** Seconds into the step's load at which the fault is injected. */
  at?: number;
  /** Injects the fault and the operator's recovery (a restart); resolves with what it measured. */
  inject(ctx: ChaosContext): Promise<string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function restartAfter(ctx: ChaosContext, role: RoleProcess, seconds: number): Promise<number> {
  await sleep(seconds * 1000);
  const t0 = Date.now();
  await role.start(180_000);
  ctx.onPurpose.delete(role);
  return (Date.now() - t0) / 1000;
}

function sigkill(role: StackRole, when: string): FaultStep {
  return {
    name: `${role}-sigkill`,
    fault: `SIGKILL of the ${role} ${when}, restarted 2 s later`,
    async inject(ctx) {
      const p = ctx.stack.role(role);
      ctx.onPurpose.add(p);
      await p.kill('SIGKILL');
      const ready = await restartAfter(ctx, p, 2);
      return `back ready in ${ready.toFixed(1)} s`;
    },
  };
}

function sigterm(role: StackRole): FaultStep {
  return {
    name: `${role}-sigterm`,
    fault: `SIGTERM of the ${role} under load, restarted after it exits`,
    graceful: true,
    async inject(ctx) {
      const p = ctx.stack.role(role);
      ctx.onPurpose.add(p);
      const t0 = Date.now();
      await p.kill('SIGTERM');
      const took = (Date.now() - t0) / 1000;
      const code = p.lastExitCode;
      const ready = await restartAfter(ctx, p, 1);
      if (code !== 0) throw new Error(`${role} exited with ${code} after SIGTERM (expected 0)`);
      return `exit 0 in ${took.toFixed(1)} s; ready in ${ready.toFixed(1)} s`;
    },
  };
}

function providerFault(
  name: string,
  fault: string,
  seconds: (ctx: ChaosContext) => number,
  apply: (ctx: ChaosContext) => Promise<void>,
): FaultStep {
  return {
    name,
    fault,
    async inject(ctx) {
      await apply(ctx);
      const s = seconds(ctx);
      await sleep(s * 1000);
      await ctx.stack.sandboxClient.clearFaults();
      return `${s} s`;
    },
  };
}

export const FAULTS: FaultStep[] = [
  sigkill('ingest', 'while it consumes'),
  sigkill('dispatcher', 'mid-send'),
  sigkill('api', 'while receipts arrive'),
  sigterm('ingest'),
  sigterm('dispatcher'),
  sigterm('api'),
  {
    name: 'postgres-restart',
    fault: 'pg_ctl restart -m fast (every session ends with 57P01)',
    async inject(ctx) {
      const t0 = Date.now();
      await ctx.pg.restart();
      return `restarted in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
    },
  },
  {
    name: 'postgres-stopped-30s',
    fault: 'pg_ctl stop -m fast, started again 30 s later (connections refused)',
    async inject(ctx) {
      await ctx.pg.stop('fast');
      await sleep(30_000);
      await ctx.pg.start();
      return 'down 30 s';
    },
  },
  {
    name: 'postgres-frozen-30s',
    fault: 'SIGSTOP of the postmaster and every backend for 30 s (unreachable: connects and queries hang)',
    async inject(ctx) {
      const pids = ctx.pg.freeze();
      await sleep(30_000);
      ctx.pg.thaw(pids);
      return `${pids.length} processes frozen 30 s`;
    },
  },
  {
    name: 'redis-restart-empty',
    fault: 'redis-server SIGKILL and started again empty (every Bull job gone)',
    async inject(ctx) {
      await ctx.redis.restartEmpty();
      return 'empty';
    },
  },
  {
    name: 'kafka-broker-sigkill',
    fault: 'SIGKILL of the broker JVM, started again (log recovery)',
    async inject(ctx) {
      if (!ctx.kafka) return 'skipped: shared broker';
      await ctx.kafka.kill();
      const t0 = Date.now();
      await ctx.kafka.start();
      return `broker back in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
    },
  },
  {
    name: 'consumer-rebalance',
    fault: 'a second ingest joins the group, leaves 15 s later (SIGTERM)',
    graceful: true,
    async inject(ctx) {
      const port = await freePort();
      const extra = new RoleProcess('ingest', port, { ...ctx.stack.env, INGEST_PORT: String(port) });
      ctx.extras.push(extra);
      await extra.start(180_000);
      await sleep(15_000);
      ctx.onPurpose.add(extra);
      await extra.kill('SIGTERM');
      ctx.extras.splice(ctx.extras.indexOf(extra), 1);
      if (extra.lastExitCode !== 0) throw new Error(`second ingest exited with ${extra.lastExitCode}`);
      return 'joined, left with exit 0';
    },
  },
  providerFault(
    'provider-5xx-storm',
    'Twilio answers HTTP 500 to every send for 20 s',
    () => 20,
    (ctx) => ctx.stack.sandboxClient.setFault('twilio', { mode: 'http500' }),
  ),
  providerFault(
    'provider-429',
    'Twilio answers 429 to every send for 20 s',
    () => 20,
    (ctx) => ctx.stack.sandboxClient.setFault('twilio', { mode: 'http429' }),
  ),
  providerFault(
    'provider-timeouts',
    'Twilio takes each message but answers after 7 s (past PROVIDER_TIMEOUT_MS) for 20 s',
    () => 20,
    (ctx) => ctx.stack.sandboxClient.setFault('twilio', { mode: 'slow', latencyMs: 7000 }),
  ),
  providerFault(
    'accepted-no-receipt',
    'Twilio accepts but never sends a receipt, for 20 s',
    () => 20,
    (ctx) => ctx.stack.sandboxClient.setFault('twilio', { receipt: 'none' }),
  ),
  providerFault(
    'all-providers-down',
    'Twilio and Vonage HTTP 500, SMPP refuses binds, for longer than the deadline',
    (ctx) => ctx.deadlineSeconds + 10,
    async (ctx) => {
      await ctx.stack.sandboxClient.setFault('twilio', { mode: 'http500' });
      await ctx.stack.sandboxClient.setFault('vonage', { mode: 'http500' });
      await ctx.stack.sandboxClient.setFault('smpp', { smpp: { refuseBind: true, dropSession: true } });
    },
  ),
];

/** The --quick subset (inside npm test): a crash, a failover, and a graceful stop under receipts. */
export const QUICK_FAULTS = ['dispatcher-sigkill', 'postgres-restart', 'api-sigterm'];
