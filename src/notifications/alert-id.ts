import { randomBytes } from 'node:crypto';

/**
 * Alert and attempt ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. The
 * month partition a row is written to is the UTC month of its id (set explicitly on insert), so a lookup
 * by id names its one partition and PostgreSQL plans and probes only that one, however many months are
 * kept. Ids minted before (v4, random) carry no time: statements about them name no month and visit every
 * partition. (The `uuid` package's v7 is ESM-only; this is its layout, from node:crypto.)
 */
export function newTimeId(now: Date = new Date()): string {
  const b = randomBytes(16);
  const ms = BigInt(now.getTime());
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6] & 0x0f) | 0x70; // version 7
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The Unix ms a UUIDv7 id was minted at, or null for any other id. */
const idTime = (id: string): number | null =>
  V7.test(id) ? parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : null;

/** The UTC month (YYYY-MM-01) of a time, as the partitions' created_month. */
const utcMonth = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01`;
};

/** The UTC month before `at`'s (YYYY-MM-01). */
export const monthBefore = (at: Date) => utcMonth(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1));

/** The UTC month (YYYY-MM-01) of a UUIDv7 id, or null for any other id. */
export function idMonth(id: string): string | null {
  const ms = idTime(id);
  return ms === null ? null : utcMonth(ms);
}

/**
 * The months of these ids, for `created_month = ANY(...)`: null when any id is not a UUIDv7 (the statement
 * then names no month). Empty input gives null too.
 */
export function idMonths(ids: readonly string[]): string[] | null {
  const months = new Set<string>();
  for (const id of ids) {
    const m = idMonth(id);
    if (!m) return null;
    months.add(m);
  }
  return months.size ? [...months].sort() : null;
}

/**
 * The month before the earliest of these: rows that hang off these alerts (history lines, attempts,
 * receipts) are written after their alert, in its month or later; the month before absorbs a database
 * clock behind the one that minted the id. Null when the months are unknown.
 */
export function childMonthFloor(months: readonly string[] | null): string | null {
  return months?.length ? monthBefore(new Date(`${months[0]}T00:00:00Z`)) : null;
}

/** How far the database's clock may be behind the clock that minted an id (seconds in practice). */
const CLOCK_MARGIN_MS = 60 * 60 * 1000;

/**
 * The earliest month a row hanging off these alerts (history line, attempt, receipt) can be in: the UTC
 * month of the earliest id's time less an hour for a database clock behind the minting one. Unlike
 * childMonthFloor it adds the month before only for alerts minted in a month's first hour, so a lookup
 * about this month's alerts is planned over this month's partition (and those ahead), not last month's
 * too: with a year of history that was one more partition in each of the claim, attempt and SENT
 * statements. Null when any id is not a UUIDv7 (or there are none).
 */
export function childFloor(ids: readonly string[]): string | null {
  let earliest = Infinity;
  for (const id of ids) {
    const ms = idTime(id);
    if (ms === null) return null;
    earliest = Math.min(earliest, ms);
  }
  return earliest === Infinity ? null : utcMonth(earliest - CLOCK_MARGIN_MS);
}
