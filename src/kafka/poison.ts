import { DatabaseError } from 'pg';

// Which failures belong to one message (poison: dead-letter it, go on) and which to the world around it
// (infrastructure: retry the batch later, move no offset, dead-letter nothing). Decided by type and
// SQLSTATE class, never by message text. PostgreSQL classes 22 (data exception: a NUL, a value too long,
// a number out of range) and 23 (integrity constraint violation) are caused by the values of the rows
// written; everything else (08 connection, 53 resources, 57P0x shutdown, 40 serialization/deadlock, 42
// schema or privileges, XX internal), Node socket errors (ECONNREFUSED, ECONNRESET, ...), Redis and Kafka
// errors, and anything not recognised is infrastructure: an unknown error must never cost a valid
// transaction its alert, so it waits (visible as consumer lag) rather than being dead-lettered.
const PER_MESSAGE_SQLSTATE_CLASSES: Record<string, string> = {
  '22': 'DB_DATA_EXCEPTION',
  '23': 'DB_INTEGRITY_VIOLATION',
};

export interface Poison {
  code: string;
  detail: string;
}

/** The DLQ code and detail when `err` was caused by the rows written, or null for infrastructure. */
export function poisonOf(err: unknown): Poison | null {
  if (!(err instanceof DatabaseError) || typeof err.code !== 'string') return null;
  const code = PER_MESSAGE_SQLSTATE_CLASSES[err.code.slice(0, 2)];
  // The message only (never pg's `detail`, which can quote the failing row).
  return code ? { code, detail: `SQLSTATE ${err.code}: ${err.message}`.slice(0, 300) } : null;
}

/** A short, value-free description of an infrastructure failure for logs. */
export function failureReason(err: unknown): string {
  if (err instanceof DatabaseError) return `postgres SQLSTATE ${err.code ?? '?'}`;
  const e = err as { code?: unknown; name?: unknown } | null | undefined;
  const name = typeof e?.name === 'string' ? e.name : 'unknown error';
  return typeof e?.code === 'string' || typeof e?.code === 'number' ? `${name} ${e.code}` : name;
}

/**
 * Writes `items` with `write`; when the write fails with a poison, splits it in halves until the items
 * that fail alone are found (bisection). Every other item is written exactly once (a half that succeeded is
 * committed and never retried); an infrastructure failure is rethrown at once. Returns the poisoned items.
 */
export async function writeIsolatingPoison<T>(
  items: T[],
  write: (items: T[]) => Promise<void>,
): Promise<Array<{ item: T; poison: Poison }>> {
  if (items.length === 0) return [];
  try {
    await write(items);
    return [];
  } catch (err) {
    const poison = poisonOf(err);
    if (!poison) throw err;
    if (items.length === 1) return [{ item: items[0], poison }];
    const half = Math.ceil(items.length / 2);
    return [
      ...(await writeIsolatingPoison(items.slice(0, half), write)),
      ...(await writeIsolatingPoison(items.slice(half), write)),
    ];
  }
}
