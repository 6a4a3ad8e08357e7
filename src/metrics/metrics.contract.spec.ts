import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Metrics } from './metrics.service';

// The dashboard and the alert rules name metrics by string; a renamed metric would leave an empty panel
// or an alert that can never fire, and nothing else would notice.
const OPS_FILES = ['deploy/prometheus/alerts.yml', 'deploy/grafana/dashboards/alertline.json'];
const SERIES_SUFFIXES = /_(bucket|sum|count)$/;

describe('metric names used by the dashboard and the alert rules', () => {
  const metrics = new Metrics();
  const exported = new Set(metrics.registry.getMetricsAsArray().map((m) => m.name));

  it.each(OPS_FILES)('%s uses only metrics the roles export', (file) => {
    const text = readFileSync(path.resolve(__dirname, '../..', file), 'utf8');
    const used = [...new Set(text.match(/alertline_[a-z_]+/g) ?? [])];
    expect(used.length).toBeGreaterThan(0);
    const unknown = used.filter(
      (name) => !exported.has(name) && !exported.has(name.replace(SERIES_SUFFIXES, '')),
    );
    expect(unknown).toEqual([]);
  });
});
