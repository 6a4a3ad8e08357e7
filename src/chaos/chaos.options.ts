import { parseArgs } from 'node:util';

export interface ChaosOptions {
  /** Transactions per second offered throughout the run. */
  rate: number;
  /** Seconds of load offered in each fault step (the fault is injected a few seconds in). */
  duration: number;
  quick: boolean;
  json?: string;
  /** Only these fault steps (names from the table), in the run's order. */
  only?: string[];
  cardholders: number;
  /** ALERT_DEADLINE_SECONDS of the roles; the all-providers-down step lasts longer than this. */
  deadlineSeconds: number;
  /** Give a step's transactions this long to reach a final state after its load ends. */
  settleSeconds: number;
  echo: boolean;
}

export const CHAOS_USAGE = `npm run chaos -- [options]
  --rate R            transactions per second offered throughout (default 200; --quick: 40)
  --duration S        seconds of load in each fault step (default 40; --quick: 20)
  --quick             a short subset (run by npm test): SIGKILL of a dispatcher, PostgreSQL restarted,
                      SIGTERM of the api under receipts
  --only A,B          only these steps (names as in the table)
  --deadline S        ALERT_DEADLINE_SECONDS of the roles (default 120; --quick: 120)
  --settle S          how long a step's alerts may take to end after its load (default 240)
  --cardholders N     contacts to create (default 2000)
  --json FILE         result file (default chaos-results/<timestamp>.json)
  --echo              show the roles' logs`;

export class ChaosUsageError extends Error {}

function whole(name: string, value: string | undefined, fallback: number, min = 1, max = 100000): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ChaosUsageError(`--${name}: expected a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new ChaosUsageError(`--${name}: must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function parseChaosArgs(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      rate: { type: 'string' },
      duration: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      deadline: { type: 'string' },
      settle: { type: 'string' },
      cardholders: { type: 'string' },
      json: { type: 'string' },
      echo: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new ChaosUsageError(CHAOS_USAGE);
  const quick = values.quick;
  const duration = whole('duration', values.duration, quick ? 20 : 40, 10, 3600);
  return {
    rate: whole('rate', values.rate, quick ? 40 : 200, 1, 5000),
    duration,
    quick,
    json: values.json,
    only: values.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    cardholders: whole('cardholders', values.cardholders, 2000, 10, 100000),
    deadlineSeconds: whole('deadline', values.deadline, 120, 30, 3600),
    settleSeconds: whole('settle', values.settle, 240, 10, 3600),
    echo: values.echo,
  };
}
