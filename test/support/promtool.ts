import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const RULES_FILE = path.join(ROOT, 'deploy/prometheus/alerts.yml');
export const RULE_TESTS_DIR = path.join(ROOT, 'deploy/prometheus/tests');

export function ruleTestFiles(): string[] {
  return readdirSync(RULE_TESTS_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(RULE_TESTS_DIR, f));
}

/** Runs promtool; its whole output (stdout and stderr) comes back so a failing spec shows it. */
export function promtool(args: string[], cwd = ROOT): { code: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 30_000 });
  if (run.error) {
    throw new Error(
      `could not run promtool (${run.error.message}); install it with: bash deploy/prometheus-tools.sh`,
    );
  }
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The alert names of a rules file, in order. */
export function alertNames(rulesText: string): string[] {
  return [...rulesText.matchAll(/^\s*- alert: (\S+)\s*$/gm)].map((m) => m[1]);
}

/**
 * The rules file with one alert's `expr` replaced (its continuation lines too, for a folded `expr: >`).
 * Works on the text so the file's own formatting, comments and other rules stay exactly as they are.
 */
export function withExpr(rulesText: string, alert: string, expr: string): string {
  const lines = rulesText.split('\n');
  const start = lines.findIndex((l) => l.trim() === `- alert: ${alert}`);
  if (start < 0) throw new Error(`no alert ${alert} in the rules file`);
  let at = start + 1;
  while (at < lines.length && !/^\s*expr:/.test(lines[at])) {
    if (/^\s*- (alert|record|name):/.test(lines[at])) throw new Error(`alert ${alert} has no expr`);
    at++;
  }
  const indent = /^(\s*)/.exec(lines[at])![1].length;
  let end = at + 1;
  while (end < lines.length && lines[end].trim() !== '' && /^(\s*)/.exec(lines[end])![1].length > indent) {
    end++;
  }
  lines.splice(at, end - at, `${' '.repeat(indent)}expr: ${expr}`);
  return lines.join('\n');
}

/**
 * A rule-test file cut down to the tests that evaluate one alert, reading `rulesPath` instead of its own
 * rule files: the mutation check runs each rule's own tests only, so it stays fast.
 */
export function testsOf(testText: string, alert: string, rulesPath: string): string | undefined {
  const at = testText.search(/^tests:\s*$/m);
  if (at < 0) throw new Error('rule-test file without a top-level tests: list');
  const header = testText
    .slice(0, at)
    .replace(/^rule_files:\s*\n(\s+- .*\n)+/m, `rule_files:\n  - ${JSON.stringify(rulesPath)}\n`);
  const cases = testText
    .slice(at)
    .replace(/^tests:\s*\n/, '')
    .split(/^(?= {2}- )/m);
  const mine = cases.filter((c) => new RegExp(`alertname: ${alert}\\s*$`, 'm').test(c));
  return mine.length ? `${header}tests:\n${mine.join('')}` : undefined;
}
