import type { Pool, PoolClient } from 'pg';

type Db = Pool | PoolClient;

/** Plain test numbers nobody else's spec uses: +44 7900 then 7 random digits. */
export function testPhone(): string {
  return `+447900${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

interface Column {
  table_name: string;
  column_name: string;
  data_type: string;
}

/**
 * Every place a value could sit in the database: each text, character, json, jsonb, array or bytea column
 * of each table of the schema, read whole. Returns `table.column` for each needle found (as text, or
 * as bytes inside a bytea: a plain number in a binary column is still plain).
 */
export async function scanForNeedles(db: Db, needles: Array<string | Buffer>): Promise<string[]> {
  const { rows: columns } = await db.query<Column>(
    `SELECT c.table_name, c.column_name, c.data_type
     FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
       AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'bytea')`,
  );
  const texts = needles.filter((n): n is string => typeof n === 'string');
  const bytes = needles.map((n) => (Buffer.isBuffer(n) ? n : Buffer.from(n, 'utf8')));
  const hits: string[] = [];
  // One query per column, all needles at once.
  for (const c of columns) {
    const col = `"${c.column_name}"`;
    const { rows } = await db.query<{ n: number }>(
      c.data_type === 'bytea'
        ? `SELECT count(*)::int AS n FROM "${c.table_name}" t, unnest($1::bytea[]) AS x(needle)
           WHERE position(x.needle in t.${col}) > 0`
        : `SELECT count(*)::int AS n FROM "${c.table_name}" t, unnest($1::text[]) AS x(needle)
           WHERE strpos(t.${col}::text, x.needle) > 0`,
      [c.data_type === 'bytea' ? bytes : texts],
    );
    if (rows[0].n > 0) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}

/**
 * Asks every index on a text column for each number, with sequential scans off so the index answers:
 * `table.column` for each index that finds one.
 */
export async function indexHits(pool: Pool, numbers: string[]): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      `SELECT DISTINCT t.relname AS table_name, a.attname AS column_name
       FROM pg_index i
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace s ON s.oid = t.relnamespace AND s.nspname = current_schema()
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)
       WHERE a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype)`,
    );
    const hits: string[] = [];
    for (const r of rows) {
      for (const n of numbers) {
        const { rows: found } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${r.table_name}" WHERE "${r.column_name}" = $1`,
          [n],
        );
        if (found[0].n > 0) hits.push(`${r.table_name}.${r.column_name}`);
      }
    }
    return hits;
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}
