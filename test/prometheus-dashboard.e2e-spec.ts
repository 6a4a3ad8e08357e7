import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { DevStack } from '../src/devstack/dev-stack';
import { PrometheusServer } from '../src/devstack/prometheus-server';
import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { publishContactsAndWait, startStack, stopStack, waitForStatuses } from './support/e2e';
import { alertNames, RULES_FILE } from './support/promtool';
import {
  dashboardQueries,
  metricNamesIn,
  selectorsIn,
  withGrafanaVariables,
} from '../src/devstack/promql-names';

interface RuleGroups {
  groups: Array<{ rules: Array<{ name: string; query: string; health: string; lastError?: string }> }>;
}

// The Grafana dashboard and the alert rules name metrics by string. A real Prometheus scrapes every role
// after real traffic; each panel query and each rule must then run, and every metric it names must be one
// Prometheus stored: otherwise the panel stays empty or the alert can never fire, and nobody notices.
describe('the dashboard and the alert rules against a live Prometheus scraping every role', () => {
  const ctx: { stack?: DevStack; db?: Pool } = {};
  let prometheus: PrometheusServer | undefined;
  let stored: Set<string>;

  beforeAll(async () => {
    Object.assign(ctx, await startStack());
    const { stack, db } = ctx as { stack: DevStack; db: Pool };
    prometheus = await PrometheusServer.start({ targets: stack.metricsTargets(), scrapeIntervalSeconds: 1 });

    const contacts = [makeContact(), makeContact(), makeContact()];
    await publishContactsAndWait(stack, db, contacts);
    const delivered = contacts.map((c) => makeTransaction(c.cardholderId));
    const skipped = makeTransaction('ch-nobody-knows');
    await stack.publishTransactions([...delivered, skipped]);
    await waitForStatuses(
      db,
      delivered.map((t) => t.transactionId),
      ['DELIVERED'],
    );
    await waitForStatuses(db, [skipped.transactionId], ['SKIPPED']);
    const server = prometheus;
    await waitFor(
      'prometheus to have scraped the 3 deliveries from the api',
      async () => {
        const answer = await server.query<{ result: unknown[] }>(
          'sum(alertline_notifications_total{status="DELIVERED"}) >= 3',
        );
        return (answer.data?.result.length ?? 0) > 0;
      },
      30_000,
      250,
    );
    // Two more scrapes of every role after that, so rate() and increase() have samples on each side.
    const before = await server.query<{ result: Array<{ value: [number, string] }> }>(
      'min(count_over_time(up{job="alertline"}[1h]))',
    );
    await server.waitForScrapes(Number(before.data?.result[0]?.value[1] ?? 0) + 2);
    stored = await server.metricNames();
  });

  afterAll(async () => {
    await prometheus?.stop();
    await stopStack(ctx);
  });

  it('scrapes every role of the stack, all up', async () => {
    const answer = await prometheus!.query<{
      result: Array<{ metric: { role: string }; value: [number, string] }>;
    }>('up{job="alertline"}');
    const up = answer.data!.result.map((r) => `${r.metric.role}=${r.value[1]}`).sort();
    expect(up).toEqual(['api=1', 'dispatcher=1', 'ingest=1', 'sandbox=1']);
  });

  const panels = dashboardQueries();

  it('finds panel queries to check', () => {
    expect(panels.length).toBeGreaterThan(0);
  });

  it.each(panels.map((p) => [`${p.dashboard}: ${p.panel}: ${p.expr}`, p] as const))(
    '%s',
    async (_title, panel) => {
      const expr = withGrafanaVariables(panel.expr);
      const answer = await prometheus!.query(expr);
      expect({ status: answer.status, error: answer.error }).toEqual({ status: 'success', error: undefined });
      const names = metricNamesIn(expr);
      expect(names).not.toEqual([]);
      expect(names.filter((n) => !stored.has(n))).toEqual([]);
      // The label filters too: a panel on status="SKIPPED" needs such a series, not just the metric.
      const never: string[] = [];
      for (const selector of selectorsIn(expr)) {
        const series = await prometheus!.api<unknown[]>(
          `/api/v1/series?match[]=${encodeURIComponent(selector)}`,
        );
        if (!series.data?.length) never.push(selector);
      }
      expect(never).toEqual([]);
    },
  );

  it('loads every alert rule, evaluates each without error, and each names only stored metrics', async () => {
    const expected = alertNames(readFileSync(RULES_FILE, 'utf8'));
    const server = prometheus!;
    // Rules are evaluated every second; wait for one evaluation of each after the scrapes above.
    const rules = await waitFor(
      'every alert rule to have been evaluated',
      async () => {
        const answer = await server.api<RuleGroups>('/api/v1/rules?type=alert');
        const all = answer.data?.groups.flatMap((g) => g.rules) ?? [];
        return all.length === expected.length && all.every((r) => r.health !== 'unknown') ? all : undefined;
      },
      30_000,
      250,
    );
    expect(rules.map((r) => r.name).sort()).toEqual([...expected].sort());
    const problems = rules.flatMap((r) => {
      const names = metricNamesIn(r.query);
      const missing = names.filter((n) => !stored.has(n));
      return [
        ...(r.health === 'ok' ? [] : [`${r.name}: ${r.health} ${r.lastError ?? ''}`]),
        ...(names.length ? [] : [`${r.name}: names no metric (${r.query})`]),
        ...(missing.length ? [`${r.name}: never scraped ${missing.join(', ')}`] : []),
      ];
    });
    expect(problems).toEqual([]);
  });
});
