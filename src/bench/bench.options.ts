import { parseArgs } from 'node:util';

export interface BenchOptions {
  events: number;
  /** Events published and delivered first, at the same rate, and left out of every figure. */
  warmup: number;
  /** Events per second; 0 publishes as fast as Kafka takes them. */
  rate: number;
  providerLatencyMs: number;
  receiptDelayMs: number;
  json?: string;
  quick: boolean;
  ingest: number;
  dispatchers: number;
  api: number;
  /** Cardholders (contacts); transactions are spread over them. */
  cardholders: number;
  partitions: number;
  /** Bull jobs each dispatcher works on at once (DISPATCHER_CONCURRENCY). */
  concurrency: number;
  profile: boolean;
  floor: boolean;
  keepDatabase: boolean;
  /** Give up when no alert moved for this long. */
  stallSeconds: number;
  echo: boolean;
  /** Run on this existing database (migrated up, kept afterwards) instead of a fresh one. */
  database?: string;
  /** Past alerts written (in SQL) over the past months before the stack starts: cost with history. */
  history: number;
  /** Extra settings for every role process (`--set KEY=VALUE`), e.g. to try a pool size. */
  settings: Record<string, string>;
}

export const USAGE = `npm run bench -- [options]
  --events N            transactions to publish (default 20000; --quick: 2000)
  --warmup N            transactions sent first, not measured: warm JIT, pools and caches
                        (default events/4, at most 5000; --quick: 0)
  --rate R              events per second, in small timed batches (default: as fast as possible)
  --provider-latency MS added by the sandbox to every provider request (default 0)
  --receipt-delay MS    sandbox delay before the final delivery receipt (default 50)
  --ingest N / --dispatchers N / --api N   processes per role (default 1 each)
  --concurrency N       Bull jobs per dispatcher at once (default 200, DISPATCHER_CONCURRENCY)
  --cardholders N       contacts to create (default min(events, 10000))
  --partitions N        partitions of the transactions topic (default 3 per ingest process)
  --json FILE           result file (default bench-results/<timestamp>.json)
  --quick               a small correctness run: every event delivered exactly once
  --profile             node --cpu-prof on every role process; top functions in the report
  --no-floor            skip the infrastructure floor measurements
  --keep-db             keep the run's database (dropped by default)
  --database NAME       run on an existing database (migrated up first, kept afterwards), e.g. one kept
                        with --keep-db after a --history fill: its history is used as it is
  --history N           first fill the database with N past alerts (with their attempts, history lines
                        and receipts) spread over the 12 months before this one (default 0)
  --stall-seconds S     give up when nothing moves for S seconds (default 60)
  --set KEY=VALUE       a setting for every role process (repeatable), e.g. --set DATABASE_POOL_MAX=20
  --echo                show the roles' logs`;

export class BenchUsageError extends Error {}

/** A database name goes into CREATE/DROP DATABASE statements: a plain identifier only. */
function databaseName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value))
    throw new BenchUsageError(`--database: a lower-case PostgreSQL identifier, not ${JSON.stringify(value)}`);
  return value;
}

/** Parses the command line (node:util parseArgs); numbers must be whole and non-negative. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      events: { type: 'string' },
      warmup: { type: 'string' },
      rate: { type: 'string' },
      'provider-latency': { type: 'string' },
      'receipt-delay': { type: 'string' },
      json: { type: 'string' },
      quick: { type: 'boolean', default: false },
      ingest: { type: 'string' },
      dispatchers: { type: 'string' },
      api: { type: 'string' },
      cardholders: { type: 'string' },
      partitions: { type: 'string' },
      concurrency: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'no-floor': { type: 'boolean', default: false },
      'keep-db': { type: 'boolean', default: false },
      history: { type: 'string' },
      database: { type: 'string' },
      'stall-seconds': { type: 'string' },
      echo: { type: 'boolean', default: false },
      set: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new BenchUsageError(USAGE);
  const quick = values.quick;
  const events = whole('events', values.events, quick ? 2000 : 20000, 1);
  const ingest = whole('ingest', values.ingest, 1, 1);
  return {
    events,
    warmup: whole('warmup', values.warmup, quick ? 0 : Math.min(5000, Math.ceil(events / 4)), 0),
    rate: whole('rate', values.rate, 0, 0),
    providerLatencyMs: whole('provider-latency', values['provider-latency'], 0, 0),
    receiptDelayMs: whole('receipt-delay', values['receipt-delay'], 50, 0),
    json: values.json,
    quick,
    ingest,
    dispatchers: whole('dispatchers', values.dispatchers, 1, 1),
    api: whole('api', values.api, 1, 1),
    cardholders: whole('cardholders', values.cardholders, Math.min(events, 10000), 1),
    partitions: whole('partitions', values.partitions, 3 * ingest, 1),
    concurrency: whole('concurrency', values.concurrency, 200, 1),
    profile: values.profile,
    floor: !values['no-floor'],
    keepDatabase: values['keep-db'],
    history: whole('history', values.history, 0, 0),
    database: databaseName(values.database),
    stallSeconds: whole('stall-seconds', values['stall-seconds'], 60, 1),
    echo: values.echo,
    settings: Object.fromEntries(values.set.map(setting)),
  };
}

function setting(raw: string): [string, string] {
  const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(raw);
  if (!m)
    throw new BenchUsageError(
      `--set takes KEY=VALUE with an upper-case setting name, not "${raw}"\n\n${USAGE}`,
    );
  return [m[1], m[2]];
}

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < min) {
    throw new BenchUsageError(
      `--${name} must be a whole number of at least ${min}, not "${raw}"\n\n${USAGE}`,
    );
  }
  return n;
}
