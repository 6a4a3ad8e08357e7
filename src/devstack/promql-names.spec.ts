import { dashboardQueries, metricNamesIn, selectorsIn, withGrafanaVariables } from './promql-names';

// The dashboard end-to-end check is only as good as the names it reads out of each query: a name missed
// here is a metric nobody checks.
describe('metric names in PromQL', () => {
  it.each([
    [
      'sum by (reason) (rate(alertline_notifications_total{status="SKIPPED"}[5m])) * 60',
      ['alertline_notifications_total'],
      ['alertline_notifications_total{status="SKIPPED"}'],
    ],
    [
      'sum(rate(a_total{status="UNDELIVERED"}[10m])) / clamp_min(sum(rate(b_total{x="by (y)"}[10m])), 1e-9) > 0.05',
      ['a_total', 'b_total'],
      ['a_total{status="UNDELIVERED"}', 'b_total{x="by (y)"}'],
    ],
    [
      'histogram_quantile(0.99, sum by (le, stage) (rate(lat_bucket{stage="accepted"}[5m]))) > 10',
      ['lat_bucket'],
      ['lat_bucket{stage="accepted"}'],
    ],
    ['up{job="alertline"} == 0', ['up'], ['up{job="alertline"}']],
    [
      'sum(rate(x_total[5m] offset 1h)) without (instance) / on (le) group_left y and bool z',
      ['x_total', 'y', 'z'],
      ['x_total', 'y', 'z'],
    ],
  ])('%s', (expr, names, selectors) => {
    expect(metricNamesIn(expr)).toEqual(names);
    expect(selectorsIn(expr)).toEqual(selectors);
  });

  it("fills Grafana's variables", () => {
    expect(withGrafanaVariables('rate(a{p=~"$provider"}[$__rate_interval]) + b{q=~"${q:regex}"}')).toBe(
      'rate(a{p=~".*"}[1m]) + b{q=~".*"}',
    );
  });

  it('reads every panel query of the dashboards, each naming at least the alertline_ metrics it contains', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    for (const q of queries) {
      expect(metricNamesIn(q.expr)).toEqual(expect.arrayContaining(q.expr.match(/alertline_\w+/g) ?? ['?']));
    }
  });
});
