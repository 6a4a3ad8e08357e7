import { z } from 'zod';

const bytes = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const KB = 1024;
const MB = 1024 * KB;

/**
 * How much one request may make the api read, hold or run (OWASP API4, unrestricted consumption). Each
 * refusal names its limit: 414, 413, 408 or 400 (docs/design.md, "Production safety and limits").
 */
export const limitSettings = {
  // Node refuses a request line plus headers over 16 KB itself (431, before any of our code), so the
  // path limit sits below that to answer a clear 414.
  HTTP_MAX_URL_BYTES: bytes(256, 12 * KB, 8 * KB),
  // Request bodies by route: provider webhooks, the support API under /v1 (it takes no bodies), the JSON
  // form of a reconciliation, and anything else (health, metrics, the sandbox's emulated APIs).
  HTTP_WEBHOOK_BODY_MAX_BYTES: bytes(KB, MB, 16 * KB),
  HTTP_SUPPORT_BODY_MAX_BYTES: bytes(256, MB, 4 * KB),
  HTTP_BODY_MAX_BYTES: bytes(KB, 10 * MB, 64 * KB),
  RECONCILIATION_JSON_MAX_BYTES: bytes(KB, 10 * MB, 100 * KB),
  // The streamed CSV upload: its size, its rows, one record, and the whole reconciliation's time.
  RECONCILIATION_CSV_MAX_BYTES: bytes(KB, 1024 * MB, 64 * MB),
  RECONCILIATION_MAX_ROWS: z.coerce.number().int().min(1).max(10_000_000).default(1_000_000),
  RECONCILIATION_MAX_RECORD_BYTES: bytes(64, MB, 4 * KB),
  RECONCILIATION_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(120_000),
  // Each query of a reconciliation (PostgreSQL statement_timeout, set for its transaction only).
  RECONCILIATION_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  RECONCILIATION_MAX_WINDOW_DAYS: z.coerce.number().int().min(1).max(366).default(31),
  // Support search by cardholder or card last 4: the longest window one search may span.
  SUPPORT_SEARCH_MAX_WINDOW_DAYS: z.coerce.number().int().min(1).max(366).default(31),
};
