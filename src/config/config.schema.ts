import { z } from 'zod';
import { checkDeliveryHealth, deliveryHealthSettings } from './delivery-health.settings';
import { correctionSettings } from './correction.settings';
import { replySettings } from './reply.settings';
import { checkDataProtection, dataProtectionSettings } from './data-protection.settings';
import { checkSendLease } from './lease.rules';
import { limitSettings } from './limit.settings';
import { productionProblems, SANDBOX_DEFAULTS } from './production.rules';
import type { VendorSettings } from './vendor-settings';

// Every setting the processes read, validated once at start-up. Defaults point at the local stack and
// the sandbox so that `npm run demo` needs no .env; under NODE_ENV=production (the Dockerfile sets it) the
// sandbox's secrets and addresses are refused and provider URLs default to the vendors' own hosts
// (production.rules.ts). Each provider's settings are a block in its own folder (VendorSettings), handed
// in by the provider registry: providers/provider-config.ts validates the whole environment at once.
const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const list = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim()))
  .pipe(z.array(z.string().min(1)));
const httpUrl = z.url({ protocol: /^https?$/ });
/** The setting types vendor blocks share with the core settings. */
export const settingTypes = { port, positiveInt, httpUrl };

/** A provider's name in PROVIDERS: one of the provider registry's (providers/provider.registry.ts). */
export type ProviderName = string;

const coreSettings = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // 127.0.0.1 keeps a laptop run off the network; containers set 0.0.0.0.
  BIND_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  INGEST_PORT: port.default(3001),
  DISPATCHER_PORT: port.default(3002),
  SANDBOX_PORT: port.default(3010),
  PUBLIC_BASE_URL: httpUrl.default(SANDBOX_DEFAULTS.PUBLIC_BASE_URL),

  DATABASE_URL: z.string().startsWith('postgres').default('postgres://postgres@127.0.0.1:5432/alertline'),
  DATABASE_POOL_MAX: positiveInt.max(200).default(10),
  // A failover or an unreachable database must not wedge a role: waiting for a connection, a statement (on
  // the server, and on the client when the server itself is frozen) and an abandoned transaction are bounded.
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt.max(120000).default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt.max(600000).default(30000),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: positiveInt.max(600000).default(60000),
  // SIGTERM: in-flight HTTP requests, jobs and Kafka batches get this long to finish before the process exits.
  SHUTDOWN_GRACE_MS: positiveInt.max(120000).default(20000),
  REDIS_URL: z.string().startsWith('redis').default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().min(1).default('alertline'),

  KAFKA_BROKERS: list.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).default('alertline'),
  KAFKA_GROUP_ID: z.string().min(1).default('alertline-ingest'),
  KAFKA_CONTACTS_GROUP_ID: z.string().min(1).default('alertline-contacts'),
  KAFKA_TOPIC_TRANSACTIONS: z.string().min(1).default('card.transactions.authorised'),
  KAFKA_TOPIC_CONTACTS: z.string().min(1).default('cardholder.contacts'),
  // With the broker's default (answer a fetch as soon as one byte is there) a steady trickle of events is
  // ingested a few at a time, one transaction and one Bull call each: the fetch waits a little to fill.
  KAFKA_FETCH_MIN_BYTES: positiveInt.max(50 * 1024 * 1024).default(64 * 1024),
  KAFKA_FETCH_MAX_WAIT_MS: positiveInt.max(5000).default(20),

  ALERT_DEADLINE_SECONDS: positiveInt.default(1800),
  RECEIPT_SLA_SECONDS: positiveInt.default(300),
  // Checked here: with a zone Intl does not know, the renderer would fail (RENDER_FAILED) for every event.
  ALERT_TIME_ZONE: z
    .string()
    .min(1)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/London')
    .default('UTC'),
  BANK_NAME: z.string().min(1).max(30).default('Alertline Bank'),
  BANK_PHONE: z.string().min(1).max(30).default('+44 20 7946 0000'),

  // Jobs a dispatcher works on at once; more jobs in flight also make the grouped writes larger.
  DISPATCHER_CONCURRENCY: positiveInt.max(1000).default(200),
  // Group commit of concurrent jobs' writes (claim, attempt, SENT; final receipts in the api).
  WRITE_BATCH_MAX: positiveInt.max(1000).default(200),
  WRITE_BATCH_PARALLEL: positiveInt.max(20).default(2),
  // A flush waits this long for company: at a steady few hundred alerts/s it halves the statements for a
  // few ms of latency (bench at 300/s: postgres 1.49 -> 1.11 cpu ms/alert, p99 unchanged).
  WRITE_BATCH_LINGER_MS: z.coerce.number().int().min(0).max(100).default(5),
  PROVIDER_TIMEOUT_MS: positiveInt.max(120000).default(5000),
  // How long a dispatcher owns an alert it is sending; a crashed dispatcher's alerts are taken over after it.
  SEND_LEASE_MS: positiveInt.default(60000),

  API_KEYS: z
    .string()
    .default(SANDBOX_DEFAULTS.API_KEYS)
    .transform((s, ctx) => {
      const keys = new Map<string, 'support' | 'supervisor'>();
      for (const entry of s.split(',').filter(Boolean)) {
        const [key, role] = entry.split(':');
        if (!key || key.length < 12 || (role !== 'support' && role !== 'supervisor')) {
          ctx.addIssue({
            code: 'custom',
            message: 'entries must be <key of 12+ chars>:<support|supervisor>',
          });
          return z.NEVER;
        }
        keys.set(key, role);
      }
      return keys;
    }),

  SANDBOX_RECEIPT_DELAY_MS: z.coerce.number().int().min(0).default(50),
  METRICS_DEFAULT: bool.default(true),

  // Sandbox (role sandbox): the local provider emulator. Defaults are what the demo and tests use.
  // Added to every provider request the sandbox answers (HTTP and TCP); the benchmark's --provider-latency.
  SANDBOX_LATENCY_MS: z.coerce.number().int().min(0).max(600000).default(0),
  // Messages the sandbox remembers (oldest dropped first); bounds its memory under the benchmark.
  SANDBOX_STORE_LIMIT: positiveInt.max(5000000).default(200000),

  // A signed receipt's timestamp (for providers that sign one) may be at most this old, or this far ahead
  // of our clock; outside the window it is refused even with a valid signature (docs/design.md, receipt
  // replays).
  RECEIPT_MAX_AGE_SECONDS: positiveInt.min(30).max(86400).default(300),
  RECEIPT_MAX_FUTURE_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(30),
  // One opossum breaker per provider. The breaker's timeout sits above PROVIDER_TIMEOUT_MS so the
  // adapter's own timeout (which aborts the request) normally fires first.
  CIRCUIT_TIMEOUT_MS: positiveInt.max(120000).default(8000),
  CIRCUIT_ERROR_THRESHOLD_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
  CIRCUIT_RESET_MS: positiveInt.default(30000),
  CIRCUIT_VOLUME_THRESHOLD: z.coerce.number().int().min(0).default(5),
  CIRCUIT_ROLLING_WINDOW_MS: positiveInt.min(100).default(10000),
  // How long a send waits for its provider's rate limit before trying the next provider instead.
  PROVIDER_RATE_LIMIT_WAIT_MS: z.coerce.number().int().min(0).max(60000).default(1000),
  // After a throttle answer (HTTP 429, an SMSC's throttling status) without Retry-After, every dispatcher leaves that provider alone this long.
  PROVIDER_THROTTLE_BACKOFF_MS: positiveInt.max(600000).default(2000),
  // After a timed-out send, wait this long before asking the provider whether it took the message.
  PROVIDER_LOOKUP_GRACE_MS: z.coerce.number().int().min(0).max(60000).default(1000),
  // A send whose answer we lost (timeout, reset) may still be taken by the provider after we gave up: its
  // "no such message" is believed only this long after the call's own bound (plus the vendor's lookup lag);
  // until then the alert is sent nowhere and the provider is asked again (docs/providers.md).
  UNKNOWN_OUTCOME_SETTLE_MS: z.coerce.number().int().min(1000).max(600000).default(30000),
  // A send that can never be confirmed (SMPP, no lookup) once settled: `resend` (recorded, counted: a
  // possible duplicate beats a missed fraud alert) or `expire` (EXPIRED with OUTCOME_UNKNOWN).
  UNKNOWN_OUTCOME_POLICY: z.enum(['resend', 'expire']).default('resend'),

  // Sweeper (dispatcher role): one run at a time across dispatchers (a Postgres advisory lock). Unset means
  // on, except under NODE_ENV=test: test stacks share one database, and one stack's sweeper would adopt
  // another stack's alerts (their queue jobs live under another QUEUE_PREFIX). Sweeper tests set it.
  SWEEP_ENABLED: bool.optional(),
  SWEEP_INTERVAL_MS: positiveInt.min(100).default(30000),
  // A QUEUED alert younger than this may still be on its way into Bull (ingest commits, then enqueues).
  SWEEP_QUEUED_GRACE_MS: positiveInt.default(10000),
  // Alerts checked against Bull per run, oldest first; bounds a run during a large backlog.
  SWEEP_SCAN_LIMIT: positiveInt.default(20000),
  // Provider status lookups per run, and how soon an alert still without a final status is asked again.
  SWEEP_POLL_LIMIT: positiveInt.default(2000),
  SWEEP_RECHECK_SECONDS: positiveInt.default(300),
  // HISTORY_RETENTION_DAYS, the anonymous history's retention, is with the personal data's
  // (data-protection.settings.ts): the two are one policy, checked together.
  // Partition maintenance (dispatcher role, one run at a time): months created ahead, old months dropped.
  PARTITION_MAINTENANCE_INTERVAL_MS: positiveInt.min(1000).max(86_400_000).default(3_600_000),
  // An event whose authorisedAt is older than this when it reaches Alertline counts as late upstream.
  UPSTREAM_LATE_SECONDS: positiveInt.default(120),
  // Transaction ids listed per category in a reconciliation report (the counts are always exact).
  RECONCILIATION_LIST_LIMIT: z.coerce.number().int().min(0).max(1000000).default(1000),
  // Supervisor resends cost an SMS each (OWASP API4): at most this many per alert and per API key in an hour
  // (a window opened by the first resend), counted in Redis so the limit holds across api processes.
  RESEND_LIMIT_PER_HOUR: positiveInt.max(1000).default(3),
  RESEND_LIMIT_PER_PRINCIPAL_PER_HOUR: positiveInt.max(100000).default(100),
  // Refused requests (401/403 on the support API, bad webhook signatures) per client IP and minute, per api
  // process; past it the source gets 429 with Retry-After and writes no further audit rows that minute.
  REFUSED_REQUESTS_PER_MINUTE: positiveInt.max(10000).default(30),
  // Authenticated support API requests per API key and minute, per api process (every one is an audit row).
  API_REQUESTS_PER_PRINCIPAL_PER_MINUTE: positiveInt.max(100000).default(600),
  ...limitSettings,
  ...deliveryHealthSettings,
  ...correctionSettings,
  ...replySettings,
  ...dataProtectionSettings,
};

/** PROVIDERS: the failover order, names from the registry; unset, every registered provider in its order. */
function providersSetting(names: readonly string[]) {
  const name = names.length
    ? z.enum(names as [string, ...string[]])
    : z.string().refine(() => false, 'no provider is registered');
  return list.pipe(z.array(name).min(1)).default([...names]);
}

/** Messages per second per provider, shared by every dispatcher through Redis ("name:rate,..."). */
function rateLimitsSetting(vendors: readonly VendorSettings[]) {
  const names = vendors.map((v) => v.provider);
  return z
    .string()
    .default(vendors.map((v) => `${v.provider}:${v.defaultRatePerSecond}`).join(','))
    .transform((s, ctx) => {
      const limits: Partial<Record<ProviderName, number>> = {};
      for (const entry of s.split(',').filter(Boolean)) {
        const [name, rate] = entry.split(':').map((p) => p.trim());
        if (!names.includes(name) || !/^[1-9]\d*$/.test(rate ?? '')) {
          ctx.addIssue({
            code: 'custom',
            message: `entries must be <${names.join('|')}>:<messages per second>`,
          });
          return z.NEVER;
        }
        limits[name] = Number(rate);
      }
      return limits;
    });
}

/** The core settings' shape with PROVIDERS and PROVIDER_RATE_LIMITS: what AppConfig.get reads. */
const coreSchema = z.object({
  ...coreSettings,
  PROVIDERS: providersSetting([]),
  PROVIDER_RATE_LIMITS: rateLimitsSetting([]),
});
export type AppConfigValues = z.infer<typeof coreSchema>;
type Parsed = AppConfigValues & Record<string, unknown>;

/** Every setting's name, core and the given vendors' (the k8s manifests are held to this list). */
export function settingNames(vendors: readonly VendorSettings[]): string[] {
  return [...Object.keys(coreSchema.shape), ...vendors.flatMap((v) => Object.keys(v.shape))];
}

/** In production: every sandbox secret and address refused at once, each line naming its setting. */
const refuseSandboxInProduction =
  (vendors: readonly VendorSettings[]) =>
  (c: Parsed, ctx: z.RefinementCtx): void => {
    if (c.NODE_ENV !== 'production') return;
    for (const { setting, message } of productionProblems(c, vendors)) {
      ctx.addIssue({ code: 'custom', path: [setting], message: `${message} (NODE_ENV=production)` });
    }
  };

/** Outside production an unset provider URL is the sandbox's, so the demo and tests need no settings. */
const withSandboxUrls =
  (vendors: readonly VendorSettings[]) =>
  (c: Parsed): Parsed => {
    if (c.NODE_ENV === 'production') return c;
    const out: Parsed = { ...c };
    for (const [k, url] of vendors.flatMap((v) => Object.entries(v.sandboxUrls ?? {}))) out[k] ??= url;
    return out;
  };

/** The whole environment's schema: the core settings and every vendor block, refined together. */
export function configSchema(vendors: readonly VendorSettings[]) {
  const shape: z.ZodRawShape = {
    ...coreSettings,
    PROVIDERS: providersSetting(vendors.map((v) => v.provider)),
    PROVIDER_RATE_LIMITS: rateLimitsSetting(vendors),
  };
  for (const v of vendors) Object.assign(shape, v.shape);
  return z
    .object(shape)
    .transform((c) => c as Parsed)
    .superRefine(refuseSandboxInProduction(vendors))
    .superRefine(checkSendLease)
    .superRefine(checkDeliveryHealth)
    .superRefine(checkDataProtection)
    .transform(withSandboxUrls(vendors));
}

/**
 * Names each failing setting, so a bad deployment stops with a message an operator can act on. The
 * vendors are the provider registry's blocks (providers/provider-config.ts passes them).
 */
export function parseConfig(env: NodeJS.ProcessEnv, vendors: readonly VendorSettings[]): Parsed {
  const result = configSchema(vendors).safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
