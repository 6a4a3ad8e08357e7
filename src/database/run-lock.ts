import type { Pool } from 'pg';

export type RunLockOutcome<T> = { locked: true } | { locked: false; result: T };

/**
 * Runs `work` holding a session-level advisory lock named `name` on one pooled connection, or returns
 * `locked` at once when another process holds it: one runner at a time across the deployment. A process
 * that dies mid-run drops its connection and so the lock.
 */
export async function withRunLock<T>(
  pool: Pool,
  name: string,
  work: () => Promise<T>,
): Promise<RunLockOutcome<T>> {
  const client = await pool.connect();
  let held = false;
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ ok: boolean }>(
      `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`,
      [name],
    );
    held = rows[0].ok;
    if (!held) return { locked: true };
    return { locked: false, result: await work() };
  } finally {
    if (held)
      await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [name]).catch((err: Error) => {
        broken = err;
      });
    // A connection whose unlock failed may still hold the session lock: back in the pool it would keep
    // every other runner out for as long as it lives. Released with the error, it is closed.
    client.release(broken);
  }
}
