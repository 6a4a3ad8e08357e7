import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChaosResult, StepResult } from './chaos.run';

export const TABLE_HEADER = [
  'fault',
  'load held',
  'recover s',
  'lost',
  'duplicates',
  'non-final',
  'overdue',
  '5xx',
  'past deadline',
  'not delivered',
  'roles',
];

export function stepRow(s: StepResult): string[] {
  const v = s.verification;
  const notDelivered = Object.entries(v.notDelivered)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return [
    s.name,
    s.loadHeld ? 'yes' : `no (${s.maxPublishBehindSeconds.toFixed(0)} s behind)`,
    s.recoverSeconds === null ? 'never' : s.recoverSeconds.toFixed(1),
    String(v.lost),
    v.duplicates === 0 ? '0' : `${v.duplicates} (${v.explainedDuplicates} explained)`,
    String(v.nonFinal),
    String(v.overdue),
    String(s.webhooks.server5xx),
    String(v.pastDeadline),
    notDelivered || '0',
    s.error ? `ERROR: ${s.error}` : s.unexpectedExits.length ? s.unexpectedExits.join('; ') : 'all up',
  ];
}

/** A Markdown table: the same text goes to the terminal and into docs/reliability.md. */
export function chaosTable(result: ChaosResult): string {
  const rows = [TABLE_HEADER, ...result.steps.map(stepRow)];
  const widths = TABLE_HEADER.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(rows[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

export function printChaosReport(result: ChaosResult, log: (line: string) => void): void {
  const o = result.options;
  log('');
  log(`== chaos: ${o.rate}/s offered, ${o.duration} s of load per step, deadline ${o.deadlineSeconds} s`);
  log(chaosTable(result));
  const f = result.final;
  log(
    `all ${f.published} transactions: lost ${f.lost}, duplicates ${f.duplicates} (${f.explainedDuplicates} explained), non-final ${f.nonFinal}, past deadline ${f.pastDeadline}`,
  );
  log(
    `roles at the end: ${result.rolesAtEnd.map((r) => `${r.role} ${r.running ? 'running' : 'NOT RUNNING'}`).join(', ')}`,
  );
  log(result.ok ? 'OK' : `FAILED:\n  ${result.problems.join('\n  ')}`);
}

export function defaultChaosJsonPath(root: string, startedAt: string): string {
  return path.join(root, 'chaos-results', `${startedAt.replace(/[:.]/g, '-')}.json`);
}

export function writeChaosJson(result: ChaosResult, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
