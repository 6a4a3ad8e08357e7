import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scrapeConfig } from '../devstack/prometheus-server';
import {
  alertNames,
  promtool,
  ROOT,
  RULES_FILE,
  ruleTestFiles,
  testsOf,
  withExpr,
} from '../../test/support/promtool';

// The alert rules are how a bank's operators learn that SMS alerts go missing; promtool's own parser and
// rule evaluator check them, as Prometheus would load them (integration tier: it runs the real binary).
describe('alert rules under promtool (deploy/prometheus)', () => {
  const rulesText = readFileSync(RULES_FILE, 'utf8');
  const testFiles = ruleTestFiles();
  const alerts = alertNames(rulesText);
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'alertline-rules-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('parse and pass promtool check rules', () => {
    const run = promtool(['check', 'rules', RULES_FILE]);
    expect(run.code === 0 ? 'ok' : run.output).toBe('ok');
    expect(alerts.length).toBeGreaterThan(0);
  });

  it("load from docker-compose's Prometheus config and from the one the demo and tests generate", () => {
    // The compose file mounts the rules at /etc/prometheus; here they are read from the checkout.
    const compose = path.join(scratch, 'compose-prometheus.yml');
    writeFileSync(
      compose,
      readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8').replace(
        '/etc/prometheus/alerts.yml',
        RULES_FILE,
      ),
    );
    const generated = path.join(scratch, 'generated-prometheus.yml');
    writeFileSync(
      generated,
      scrapeConfig([{ role: 'api', baseUrl: 'http://127.0.0.1:3000' }], 2, RULES_FILE),
    );
    for (const file of [compose, generated]) {
      const run = promtool(['check', 'config', file]);
      expect(run.code === 0 ? 'ok' : run.output).toBe('ok');
      expect(run.output).toContain(`${alerts.length} rules found`);
    }
  });

  it('pass their unit tests (promtool test rules)', () => {
    expect(testFiles.length).toBeGreaterThan(0);
    const run = promtool(['test', 'rules', ...testFiles]);
    // promtool's output is what a failure shows: which case, what it expected and what it got.
    expect(run.code === 0 ? 'ok' : run.output).toBe('ok');
  });

  // Mutation check: a rule whose tests still pass when it always fires has no quiet case, and one whose
  // tests pass when it can never fire has no firing case. Either would let a broken rule through.
  it.each(alerts)('%s has a test that fails when it always fires and one when it never fires', (alert) => {
    const mutants = {
      'always fires': ['vector(1)', 'no case where it must stay quiet'],
      'never fires': ['vector(1) < 0', 'no case where it must fire'],
    };
    const survived: string[] = [];
    for (const [label, [expr, missing]] of Object.entries(mutants)) {
      const rulesPath = path.join(scratch, `${alert}.${label.replace(' ', '-')}.rules.yml`);
      writeFileSync(rulesPath, withExpr(rulesText, alert, expr));
      const cut = testFiles
        .map((f) => testsOf(readFileSync(f, 'utf8'), alert, rulesPath))
        .filter((t): t is string => t !== undefined);
      expect(cut).not.toEqual([]);
      const files = cut.map((text, i) => {
        const file = path.join(scratch, `${alert}.${label.replace(' ', '-')}.${i}.test.yml`);
        writeFileSync(file, text);
        return file;
      });
      const run = promtool(['test', 'rules', ...files], scratch);
      if (run.code === 0) survived.push(`as ${expr} (${label}) its tests still pass: ${missing}`);
    }
    expect(survived).toEqual([]);
  });
});
