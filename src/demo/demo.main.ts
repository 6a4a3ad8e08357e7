import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Pool } from 'pg';
import { DevStack } from '../devstack/dev-stack';
import { PrometheusServer } from '../devstack/prometheus-server';
import { waitFor } from '../devstack/wait-for';
import { PROVIDER_REGISTRY } from '../providers/provider.registry';
import { AliyunSamples, handsetText, routeThroughAliyun } from './demo-aliyun';
import { CorrectionSamples } from './demo-corrections';
import { ReplySamples } from './demo-replies';
import { CircuitWatcher, DEMO_BREAKER_ENV, OutageSamples } from './demo-outage';
import { DEMO_DELIVERY_HEALTH_ENV, runDeliveryHealth } from './demo-delivery-health';
import { demoScenarios, Expected, Scenario } from './demo-scenarios';

// `npm run demo [-- --once] [-- --prometheus]`: the whole pipeline on this machine, from a fresh clone;
// --prometheus adds a real Prometheus scraping every role, with the alert rules loaded.
const once = process.argv.includes('--once');
const withPrometheus = process.argv.includes('--prometheus');
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

  log('== starting roles: sandbox, api, ingest, dispatcher (providers twilio, vonage, smpp)');
  const stack = await DevStack.create({
    databaseUrl,
    defaults: true,
    env: {
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      PROVIDERS: 'twilio,vonage,smpp',
      ...DEMO_BREAKER_ENV,
      ...DEMO_DELIVERY_HEALTH_ENV,
    },
  });
  const db = new Pool({ connectionString: databaseUrl, max: 2 });
  let prometheus: PrometheusServer | undefined;
  const stopAll = async () => {
    await prometheus?.stop();
    await stack.stop();
    await db.end();
  };
  try {
    await stack.start();
    // The demo's database outlives a run: a route left demoted by an interrupted one starts over.
    await db.query(`DELETE FROM provider_delivery_health`);
    if (withPrometheus) {
      prometheus = await PrometheusServer.start({ targets: stack.metricsTargets() });
      log(`== prometheus ${prometheus.url} scraping ${stack.metricsTargets().length} processes every 2 s`);
    }
    const { contacts, scenarios } = demoScenarios();
    const outage = new OutageSamples(8);
    const mainland = new AliyunSamples();
    const corrections = new CorrectionSamples();
    const replies = new ReplySamples();
    const allContacts = [
      ...contacts,
      ...outage.contacts,
      ...mainland.contacts,
      ...corrections.contacts,
      ...replies.contacts,
    ];
    log(`== publishing ${allContacts.length} cardholder contacts`);
    await stack.publishContacts(allContacts);
    await waitFor('contacts to be projected', async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM contacts WHERE cardholder_id = ANY($1)`,
        [allContacts.map((c) => c.cardholderId)],
      );
      return rows[0].n === allContacts.length;
    });
    const rows = new Map<string, Row>();
    log(`== an ordinary day: publishing ${scenarios.length} card transactions`);
    await publishAndFollow(stack, db, scenarios, rows);
    const outageScenarios = await runOutage(stack, db, outage, rows);
    const healthScenarios: Scenario[] = [];
    const routed = await runDeliveryHealth({
      stack,
      db,
      outage,
      log,
      play: async (batch) => {
        healthScenarios.push(...batch);
        await publishAndFollow(stack, db, batch, rows);
      },
    });
    const aliyunScenarios = await runAliyun(stack, db, mainland, rows);
    const alertsOk =
      printTable([...scenarios, ...outageScenarios, ...healthScenarios, ...aliyunScenarios], rows) && routed;
    const correctionsOk = await corrections.play(stack, db, log);
    const ok = (await replies.play(stack, db, log)) && correctionsOk && alertsOk;
    await printProviderCounts(stack);
    if (once) {
      await stopAll();
      return ok ? 0 : 1;
    }
    printUrls(stack, prometheus);
    await new Promise<void>((resolve) => process.once('SIGINT', resolve));
    await stopAll();
    return 0;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Twilio fails mid-run (the sandbox answers HTTP 500): alerts fail over to Vonage until Twilio's breaker
 * opens, then skip Twilio altogether; Twilio recovers, its breaker goes half-open, one alert tries it and
 * the breaker closes, and traffic is back on Twilio. Breaker changes are printed as the dispatcher's
 * /metrics shows them.
 */
async function runOutage(
  stack: DevStack,
  db: Pool,
  outage: OutageSamples,
  rows: Map<string, Row>,
): Promise<Scenario[]> {
  const watcher = new CircuitWatcher(`${stack.role('dispatcher').baseUrl}/metrics`, log);
  const played: Scenario[] = [];
  const play = async (batch: Scenario[]) => {
    played.push(...batch);
    await publishAndFollow(stack, db, batch, rows);
  };
  watcher.start();
  try {
    log('== Twilio outage: the sandbox now answers every Twilio request with HTTP 500');
    watcher.mark();
    await stack.sandboxClient.setFault('twilio', { mode: 'http500' });
    for (let wave = 1; wave <= 4 && watcher.state('twilio') !== 'open'; wave++) {
      await play([1, 2, 3].map(() => outage.alert(`outage wave ${wave}: fails over`, 'vonage')));
      await watcher.waitFor('twilio', 'open', 500);
    }
    log(`   twilio breaker ${watcher.state('twilio')} ${watcher.elapsed} after the outage began`);
    await play([1, 2].map(() => outage.alert('outage, breaker open: skips Twilio', 'vonage')));

    log('== Twilio recovers: the fault is cleared; the breaker tries Twilio again after its reset time');
    watcher.mark();
    await stack.sandboxClient.clearFaults();
    await watcher.waitFor('twilio', 'half-open', 30000);
    await play([outage.alert('recovery: trial request', 'twilio')]);
    await watcher.waitFor('twilio', 'closed', 10000);
    log(`   twilio breaker ${watcher.state('twilio')} ${watcher.elapsed} after Twilio recovered`);
    await play([1, 2].map(() => outage.alert('after recovery: back on Twilio', 'twilio')));
    return played;
  } finally {
    watcher.stop();
  }
}

/** zh-CN alerts through Aliyun SMS, then an Aliyun outage that fails over to the next provider. */
async function runAliyun(
  stack: DevStack,
  db: Pool,
  mainland: AliyunSamples,
  rows: Map<string, Row>,
): Promise<Scenario[]> {
  log('== mainland China: the dispatcher restarts with Aliyun SMS first and Tencent Cloud SMS behind it');
  const next = await routeThroughAliyun(stack);
  log(`   PROVIDERS=${stack.env.PROVIDERS}`);
  const first = mainland.alert('zh-CN through Aliyun (template + signature)', 'aliyun');
  await publishAndFollow(stack, db, [first], rows);
  log(`   the handset showed: ${(await handsetText(db, first.transaction.transactionId)) ?? '(not sent)'}`);
  log(`== Aliyun outage: the sandbox answers every Aliyun request with HTTP 503; ${next} follows Aliyun`);
  await stack.sandboxClient.setFault('aliyun', { mode: 'http500' });
  const failover = mainland.alert(`Aliyun down: fails over to ${next}`, next);
  try {
    await publishAndFollow(stack, db, [failover], rows);
  } finally {
    await stack.sandboxClient.clearFaults();
  }
  return [first, failover];
}

async function publishAndFollow(
  stack: DevStack,
  db: Pool,
  scenarios: Scenario[],
  rows: Map<string, Row>,
): Promise<void> {
  await stack.publishTransactions(scenarios.map((s) => s.transaction));
  for (const [id, row] of await follow(db, scenarios)) rows.set(id, row);
}

async function printProviderCounts(stack: DevStack): Promise<void> {
  const counts = await Promise.all(
    PROVIDER_REGISTRY.map(async ({ name }) => `${name} ${await stack.sandboxClient.count(name)}`),
  );
  log(`messages the sandbox providers received: ${counts.join(', ')}`);
}

function matches(s: Scenario, r: Row | undefined): boolean {
  return which(s, r) !== undefined;
}

/** The expected end this alert reached, if any. */
function which(s: Scenario, r: Row | undefined): Expected | undefined {
  const fits = (e: Expected) =>
    !!r &&
    r.status === e.status &&
    (!e.reason || r.skip_reason === e.reason) &&
    (!e.provider || r.provider === e.provider);
  if (fits(s.expected)) return s.expected;
  return s.or && fits(s.or) ? s.or : undefined;
}

async function follow(db: Pool, scenarios: Scenario[]): Promise<Map<string, Row>> {
  const ids = scenarios.map((s) => s.transaction.transactionId);
  let rows = new Map<string, Row>();
  let lastLine = '';
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const { rows: found } = await db.query<Row>(
      `SELECT * FROM notifications WHERE transaction_id = ANY($1)`,
      [ids],
    );
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
    const ms = (d: Date | null | undefined) =>
      d && r ? `${d.getTime() - r.authorised_at.getTime()} ms` : '-';
    return [
      s.name,
      [s.expected.status, s.expected.reason, s.or && `(or ${s.or.status} ${s.or.provider ?? ''})`]
        .filter(Boolean)
        .join(' '),
      r ? [r.status, r.skip_reason].filter(Boolean).join(' ') : 'missing',
      r?.provider ?? '-',
      ms(r?.accepted_at),
      ms(r?.final_at),
      matches(s, r) ? (which(s, r)?.note ?? 'yes') : 'NO',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  log('');
  log(fmt(header));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) log(fmt(row));
  const ok = table.every((row) => row[6] !== 'NO');
  log('');
  log(ok ? 'every sample ended as expected' : 'SOME SAMPLES DID NOT END AS EXPECTED');
  return ok;
}

function printUrls(stack: DevStack, prometheus?: PrometheusServer): void {
  log('');
  log('The stack is up (Ctrl-C stops it):');
  log(
    `  support API        ${stack.apiUrl}/v1/notifications?transactionId=...  (Authorization: Bearer support-demo-key)`,
  );
  log(`  support console    ${stack.apiUrl}/console`);
  log(
    `  metrics            ${stack.apiUrl}/metrics, ${stack.role('ingest').baseUrl}/metrics, ${stack.role('dispatcher').baseUrl}/metrics`,
  );
  log(`  sandbox messages   ${stack.sandbox.baseUrl}/sandbox/messages`);
  if (prometheus) {
    log(`  prometheus         ${prometheus.url}  (targets: /targets, alert rules: /alerts)`);
    log(
      `                     ${prometheus.url}/graph?g0.expr=${encodeURIComponent('sum by (status) (alertline_notifications_total)')}&g0.tab=1`,
    );
  } else {
    log('  prometheus         npm run demo -- --prometheus  starts one scraping every role');
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
