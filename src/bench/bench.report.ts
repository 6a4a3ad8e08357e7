import type { HistoryFill } from './bench.history';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AlertTimes, DbActivity } from './bench.database';
import type { BenchOptions } from './bench.options';
import type { ProgressSample, WriteBatchFigures } from './bench.progress';
import {
  distribution,
  Distribution,
  limitingStage,
  maxFinite,
  perSecond,
  ratePerSecond,
  ratio,
  stageRate,
  StageRate,
} from './bench.stats';
import type { Verification } from './bench.verify';
import type { ProfileSummary } from './cpu-profile';
import type { FloorName, FloorResult } from './floor';
import type { GroupUsage } from './proc-sampler';
import type { PublishResult } from './bench.workload';

export interface RunInputs {
  options: BenchOptions;
  runId: string;
  database: string;
  startedAt: string;
  publish: PublishResult;
  times: AlertTimes[];
  attempts: { attempts: number; retried: number };
  usage: GroupUsage[];
  machineBusyCores: number;
  /** How long resources were sampled (first publish to settled). */
  windowSeconds: number;
  progress: ProgressSample[];
  /** Each role's /metrics response times during the run. */
  metricsResponseMs: Map<string, number[]>;
  /** Grouped database writes in the roles, from their /metrics. */
  writeBatches: Record<string, WriteBatchFigures>;
  floors?: Record<FloorName, FloorResult>;
  verification: Verification;
  databaseActivity: DbActivity;
  /** What --history filled in before the run (null without it). */
  history: HistoryFill | null;
  /** os.loadavg() at the end of the measured window: the machine is shared. */
  loadAverage: number[];
  profiles?: Array<{ process: string } & ProfileSummary>;
}

/** Which floor bounds which pipeline stage. */
const STAGE_FLOORS: Array<{ stage: string; floor: FloorName }> = [
  { stage: 'recorded', floor: 'kafkaConsume' },
  { stage: 'recorded', floor: 'postgresInsert' },
  { stage: 'sent', floor: 'bullJobs' },
  { stage: 'sent', floor: 'httpSend' },
];

export const STAGE_LABEL: Record<string, string> = {
  published: 'published (bench producer)',
  recorded: 'recorded (ingest)',
  sent: 'sent (dispatcher)',
  delivered: 'delivered (receipts, api)',
};

export type BenchResult = ReturnType<typeof buildResult>;

export function buildResult(r: RunInputs) {
  const origin = r.publish.firstAt;
  const delivered = r.times.filter((t) => t.status === 'DELIVERED');
  const lastDelivered = maxFinite(delivered.map((t) => t.final));
  const statuses: Record<string, number> = {};
  for (const t of r.times) statuses[t.status] = (statuses[t.status] ?? 0) + 1;
  const stages: Array<StageRate & { doneAtSeconds: number }> = [
    {
      stage: 'published',
      items: r.publish.published,
      rate: ratePerSecond(r.publish.published, r.publish.firstAt, r.publish.lastAt),
      doneAtSeconds: (r.publish.lastAt - origin) / 1000,
    },
    ...(
      [
        ['recorded', r.times.map((t) => t.received)],
        ['sent', r.times.map((t) => t.accepted)],
        ['delivered', delivered.map((t) => t.final)],
      ] as Array<[string, number[]]>
    ).map(([stage, times]) => ({
      ...stageRate(stage, times),
      doneAtSeconds: (maxFinite(times) - origin) / 1000,
    })),
  ];
  const stageByName = new Map(stages.map((s) => [s.stage, s]));
  const throughput = ratePerSecond(delivered.length, origin, lastDelivered);
  const ratios = r.floors
    ? STAGE_FLOORS.map(({ stage, floor }) => ({
        stage,
        floor,
        pipelineRate: stageByName.get(stage)?.rate ?? 0,
        floorRate: r.floors![floor].rate,
        ratio: ratio(stageByName.get(stage)?.rate ?? 0, r.floors![floor].rate),
      }))
    : [];
  const floorLimit = r.floors ? Object.entries(r.floors).sort((a, b) => a[1].rate - b[1].rate)[0] : undefined;
  const ceiling = r.floors ? floorCeiling(r.floors, os.cpus().length, throughput) : null;
  const latencyMs = {
    recorded: distribution(r.times.map((t) => t.received - t.authorised)),
    accepted: distribution(r.times.map((t) => t.accepted - t.authorised)),
    delivered: distribution(delivered.map((t) => t.final - t.authorised)),
  };
  const resources = r.usage
    .map((u) => ({ ...u, cpuMsPerAlert: delivered.length ? (u.cpuSeconds * 1000) / delivered.length : null }))
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  const o = r.options;
  return {
    benchmark: 'alertline end to end',
    startedAt: r.startedAt,
    finishedAt: new Date().toISOString(),
    host: { cpus: os.cpus().length, memoryMb: Math.round(os.totalmem() / 2 ** 20), node: process.version },
    options: o,
    runId: r.runId,
    database: r.database,
    events: o.events,
    statuses,
    attempts: r.attempts,
    throughput: {
      alertsPerSecond: throughput,
      seconds: (lastDelivered - origin) / 1000,
      definition: 'DELIVERED alerts per second from the first publish to the last DELIVERED',
    },
    stages,
    limitingStage: limitingStage(stages)?.stage ?? null,
    latencyMs,
    resources,
    machineBusyCores: r.machineBusyCores,
    // What the measured processes used on average; the rest of machineBusyCores is other work on the machine.
    measuredCores:
      r.windowSeconds > 0 ? r.usage.reduce((s, u) => s + u.cpuSeconds, 0) / r.windowSeconds : null,
    // A role that answers /metrics late had its event loop blocked (long synchronous work) for that long.
    metricsResponseMs: Object.fromEntries(
      [...r.metricsResponseMs].map(([role, t]) => [role, distribution(t)]),
    ),
    postgres: postgresWork(r.databaseActivity, delivered.length),
    history: r.history,
    loadAverage: r.loadAverage,
    writeBatches: r.writeBatches,
    timeline: {
      progress: r.progress,
      perSecond: {
        recorded: perSecond(
          r.times.map((t) => t.received),
          origin,
        ),
        sent: perSecond(
          r.times.map((t) => t.accepted),
          origin,
        ),
        delivered: perSecond(
          delivered.map((t) => t.final),
          origin,
        ),
      },
    },
    floor: r.floors ?? null,
    ratios,
    ceiling,
    floorLimit: floorLimit ? { floor: floorLimit[0], rate: floorLimit[1].rate } : null,
    throughputToFloor: floorLimit ? ratio(throughput, floorLimit[1].rate) : null,
    goals: goals(o, throughput, latencyMs.accepted, floorLimit?.[1].rate),
    verification: r.verification,
    profiles: r.profiles ?? null,
  };
}

/** The database's work per delivered alert: transactions, WAL, row changes and reads per table. */
function postgresWork(a: DbActivity, alerts: number) {
  const per = (n: number) => (alerts ? n / alerts : null);
  return {
    ...a,
    perAlert: {
      commits: per(a.commits),
      walBytes: per(a.walBytes),
      rows: Object.fromEntries(
        Object.entries(a.tables)
          // contacts are the setup's (their statistics may be reported late, inside the window).
          .filter(([name, t]) => name !== 'contacts' && t.inserted + t.updated + t.deleted + t.rowsRead > 0)
          .map(([name, t]) => [
            name,
            {
              inserted: per(t.inserted),
              updated: per(t.updated),
              hotUpdated: per(t.hotUpdated),
              rowsRead: per(t.rowsRead),
              indexEntriesRead: per(t.indexEntriesRead),
              indexScans: per(t.indexScans),
            },
          ]),
      ),
    },
  };
}

/**
 * The floors share the machine's cores: their CPU per item added up is the least a whole alert can cost.
 * An alert makes three HTTP round trips (the provider request and its two signed status callbacks), so
 * the measured round trip counts three times.
 */
export function floorCeiling(floors: Record<FloorName, FloorResult>, cores: number, throughput: number) {
  const cpu = (f: FloorResult) => Object.values(f.cpuMsPerItem).reduce((a, b) => a + b, 0);
  const cpuMsPerAlert =
    cpu(floors.kafkaConsume) + cpu(floors.postgresInsert) + cpu(floors.bullJobs) + 3 * cpu(floors.httpSend);
  const alertsPerSecond = cpuMsPerAlert > 0 ? (cores * 1000) / cpuMsPerAlert : null;
  return {
    cpuMsPerAlert,
    alertsPerSecond,
    throughputRatio: alertsPerSecond ? throughput / alertsPerSecond : null,
    definition:
      'cores / summed floor CPU per item (kafka consume + postgres insert + bull + 3 HTTP round trips)',
  };
}

function goals(
  o: BenchOptions,
  throughput: number,
  accepted: Distribution | null,
  floor: number | undefined,
) {
  const flatOut = o.rate === 0 && o.providerLatencyMs === 0;
  return [
    {
      goal: '>= 2000 alerts/s sustained, provider latency 0',
      applies: flatOut,
      measured: throughput,
      met: flatOut ? throughput >= 2000 : null,
    },
    {
      goal: 'p99 authorisedAt -> accepted <= 150 ms at 1000 alerts/s',
      applies: o.rate === 1000,
      measured: accepted?.p99 ?? null,
      met: o.rate === 1000 && accepted ? accepted.p99 <= 150 : null,
    },
    {
      goal: 'throughput >= half the measured floor',
      applies: flatOut && floor !== undefined,
      measured: floor ? throughput / floor : null,
      met: flatOut && floor ? throughput / floor >= 0.5 : null,
    },
  ];
}

export function defaultJsonPath(root: string, startedAt: string): string {
  return path.join(root, 'bench-results', `${startedAt.replace(/[:.]/g, '-')}.json`);
}

export function writeJson(res: BenchResult, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(res, null, 2)}\n`);
}
