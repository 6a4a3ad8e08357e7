import { z } from 'zod';

/** AES-256: every key-encryption key and the lookup-hash key are exactly 32 random bytes. */
export const DATA_KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

// Local runs, the demo and the tests need no settings; production refuses both (production.rules.ts).
// Fixed bytes, printed here, protect nothing: they only make the local database look like production's.
export const DEMO_DATA_KEY_ID = 'demo';
export const DEMO_DATA_KEYS = `${DEMO_DATA_KEY_ID}:${Buffer.alloc(DATA_KEY_BYTES, 0x5a).toString('base64')}`;
export const DEMO_DATA_HASH_KEY = Buffer.alloc(DATA_KEY_BYTES, 0xa5).toString('base64');

/** The configured key-encryption keys, by id, in the order given (the first is current unless named). */
export type DataKeys = ReadonlyMap<string, Buffer>;

/**
 * `id:base64key,...`: ids of 1-32 letters, digits, `-` or `_`, each once, each key 32 bytes in base64.
 * Problems name the entry by position, never its value (this message goes to the logs).
 */
export function parseDataKeys(raw: string): { keys: DataKeys } | { problem: string } {
  const keys = new Map<string, Buffer>();
  const entries = raw.split(',').map((e) => e.trim());
  if (entries.length > 16) return { problem: 'at most 16 keys' };
  for (const [i, entry] of entries.entries()) {
    const at = `entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) return { problem: `${at}: must be <key id>:<base64 of ${DATA_KEY_BYTES} bytes>` };
    const id = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!KEY_ID.test(id)) return { problem: `${at}: the key id must be 1-32 of A-Z a-z 0-9 - _` };
    if (keys.has(id)) return { problem: `${at}: key id ${id} is listed twice` };
    const key = decodeKey(encoded);
    if (!key) return { problem: `${at} (${id}): the key must be base64 of exactly ${DATA_KEY_BYTES} bytes` };
    keys.set(id, key);
  }
  return { keys };
}

/** Strict base64 of exactly 32 bytes (Buffer.from would silently skip junk characters). */
export function decodeKey(encoded: string): Buffer | undefined {
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length === DATA_KEY_BYTES && key.toString('base64') === encoded ? key : undefined;
}

const days = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const dataProtectionSettings = {
  // Key-encryption keys for phone numbers and message texts at rest (docs/design.md, "Data lifecycle").
  DATA_KEYS: z
    .string()
    .default(DEMO_DATA_KEYS)
    .transform((s, ctx) => {
      const parsed = parseDataKeys(s);
      if ('problem' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      }
      return parsed.keys;
    }),
  // The key new values are sealed with; unset: the first of DATA_KEYS.
  DATA_KEY_CURRENT: z.string().regex(KEY_ID, 'must be a key id of DATA_KEYS').optional(),
  // HMAC-SHA256 key of the phone lookup hash (contacts: did the number change?).
  DATA_HASH_KEY: z
    .string()
    .default(DEMO_DATA_HASH_KEY)
    .refine((s) => decodeKey(s) !== undefined, `must be base64 of exactly ${DATA_KEY_BYTES} bytes`),
  // Phone numbers and message texts of final alerts are purged this many days after receipt: past the
  // monthly statement in which a cardholder queries an alert (docs/design.md, "Data lifecycle").
  PERSONAL_DATA_RETENTION_DAYS: days(3650, 30),
  // How long the anonymous delivery history (alerts without number and text, attempts, history lines,
  // receipts, the transactionId dedupe keys) is kept: partition maintenance drops the month partitions wholly
  // older than this. 400 days (13 months) covers PCI DSS 10.5.1's year of audit trail and the card schemes'
  // 120-day chargeback window plus arbitration. 0 keeps it for ever.
  HISTORY_RETENTION_DAYS: z.coerce.number().int().min(0).max(36500).default(400),
  // The purge and the key re-wrap (dispatcher role), one runner at a time (advisory lock). Unset means on,
  // except under NODE_ENV=test (like SWEEP_ENABLED: test stacks share one database).
  RETENTION_ENABLED: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
  // Rows per statement: each batch is one short transaction; the send path never waits behind a long one.
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  // Batches per run, so one run ends (and lets go of the lock) even with a large backlog.
  RETENTION_MAX_BATCHES: z.coerce.number().int().min(1).max(100_000).default(500),
};

interface DataProtectionInput {
  DATA_KEYS: DataKeys;
  DATA_KEY_CURRENT?: string;
  PERSONAL_DATA_RETENTION_DAYS: number;
  HISTORY_RETENTION_DAYS: number;
}

export function checkDataProtection(c: DataProtectionInput, ctx: z.RefinementCtx): void {
  if (c.DATA_KEY_CURRENT !== undefined && !c.DATA_KEYS.has(c.DATA_KEY_CURRENT)) {
    ctx.addIssue({
      code: 'custom',
      path: ['DATA_KEY_CURRENT'],
      message: `${c.DATA_KEY_CURRENT} is not a key id of DATA_KEYS (${[...c.DATA_KEYS.keys()].join(', ')})`,
    });
  }
  // Dropping a month with its alerts is a purge too; a history shorter than the personal data's retention
  // would make PERSONAL_DATA_RETENTION_DAYS a lie.
  if (c.HISTORY_RETENTION_DAYS !== 0 && c.HISTORY_RETENTION_DAYS < c.PERSONAL_DATA_RETENTION_DAYS) {
    ctx.addIssue({
      code: 'custom',
      path: ['HISTORY_RETENTION_DAYS'],
      message: `${c.HISTORY_RETENTION_DAYS} is shorter than PERSONAL_DATA_RETENTION_DAYS ${c.PERSONAL_DATA_RETENTION_DAYS}`,
    });
  }
}

/** The id new values are sealed with. */
export function currentDataKeyId(c: { DATA_KEYS: DataKeys; DATA_KEY_CURRENT?: string }): string {
  return c.DATA_KEY_CURRENT ?? [...c.DATA_KEYS.keys()][0];
}
