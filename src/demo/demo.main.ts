import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Pool } from 'pg';
import { DevStack } from '../devstack/dev-stack';
import { waitFor } from '../devstack/wait-for';
import { demoScenarios, Scenario } from './demo-scenarios';

// `npm run demo [-- --once]`: the whole pipeline on this machine, from a fresh clone.
const once = process.argv.includes('--once');
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/alertline';
const root = path.resolve(__dirname, '../..');
const log = (msg: string) => process.stdout.write(`${msg}\n`);

interface Row {
  transaction_id: string;
  status: string;
  skip_reason: string | null;
  provider: string | null;
  authorised_at: Date;
  accepted_at: Date | null;
  final_at: Date | null;
}

async function main(): Promise<number> {
  log('== infrastructure (Kafka, Redis, PostgreSQL): starting what is missing');
  const infra = spawnSync('bash', [path.join(root, 'deploy/infra.sh'), 'up'], { stdio: 'inherit' });
  if (infra.status !== 0) throw new Error('infrastructure did not start (see above)');

  log('== starting roles: sandbox, api, ingest, dispatcher');
  const stack = await DevStack.create({ databaseUrl, defaults: true, env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } });
  const db = new Pool({ connectionString: databaseUrl, max: 2 });
  const stopAll = async () => {
    await stack.stop();
    await db.end();
  };
  try {
    await stack.start();
    const { contacts, scenarios } = demoScenarios();
    log(`== publishing ${contacts.length} cardholder contacts`);
    await stack.publishContacts(contacts);
    await waitFor('contacts to be projected', async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM contacts WHERE cardholder_id = ANY($1)`, [
        contacts.map((c) => c.cardholderId),
      ]);
      return rows[0].n === contacts.length;
    });
    log(`== publishing ${scenarios.length} card transactions`);
    await stack.publishTransactions(scenarios.map((s) => s.transaction));
    const rows = await follow(db, scenarios);
    const ok = printTable(scenarios, rows);
    if (once) {
      await stopAll();
      return ok ? 0 : 1;
    }
    printUrls(stack);
    await new Promise<void>((resolve) => process.once('SIGINT', resolve));
    await stopAll();
    return 0;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function matches(s: Scenario, r: Row | undefined): boolean {
  if (!r || r.status !== s.expected.status) return false;
  if (s.expected.reason && r.skip_reason !== s.expected.reason) return false;
  return !s.expected.provider || r.provider === s.expected.provider;
}

async function follow(db: Pool, scenarios: Scenario[]): Promise<Map<string, Row>> {
  const ids = scenarios.map((s) => s.transaction.transactionId);
  let rows = new Map<string, Row>();
  let lastLine = '';
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const { rows: found } = await db.query<Row>(`SELECT * FROM notifications WHERE transaction_id = ANY($1)`, [ids]);
    rows = new Map(found.map((r) => [r.transaction_id, r]));
    const counts = new Map<string, number>();
    for (const r of rows.values()) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    const line = `   progress: ${rows.size}/${ids.length} recorded  ${[...counts].map(([k, v]) => `${k}=${v}`).join(' ')}`;
    if (line !== lastLine) log(line);
    lastLine = line;
    if (scenarios.every((s) => matches(s, rows.get(s.transaction.transactionId)))) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  return rows;
}

function printTable(scenarios: Scenario[], rows: Map<string, Row>): boolean {
  const header = ['scenario', 'expected', 'actual', 'provider', 'to provider', 'to final', 'ok'];
  const table = scenarios.map((s) => {
    const r = rows.get(s.transaction.transactionId);
    const ms = (d: Date | null | undefined) => (d && r ? `${d.getTime() - r.authorised_at.getTime()} ms` : '-');
    return [
      s.name,
      [s.expected.status, s.expected.reason].filter(Boolean).join(' '),
      r ? [r.status, r.skip_reason].filter(Boolean).join(' ') : 'missing',
      r?.provider ?? '-',
      ms(r?.accepted_at),
      ms(r?.final_at),
      matches(s, r) ? 'yes' : 'NO',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  log('');
  log(fmt(header));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) log(fmt(row));
  const ok = table.every((row) => row[6] === 'yes');
  log('');
  log(ok ? 'every sample ended as expected' : 'SOME SAMPLES DID NOT END AS EXPECTED');
  return ok;
}

function printUrls(stack: DevStack): void {
  log('');
  log('The stack is up (Ctrl-C stops it):');
  log(`  support API        ${stack.apiUrl}/v1/notifications?transactionId=...  (Authorization: Bearer support-demo-key)`);
  log(`  support console    ${stack.apiUrl}/console`);
  log(`  metrics            ${stack.apiUrl}/metrics, ${stack.role('ingest').baseUrl}/metrics, ${stack.role('dispatcher').baseUrl}/metrics`);
  log(`  sandbox messages   ${stack.sandbox.baseUrl}/sandbox/messages`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
