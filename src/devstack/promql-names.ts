import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
export const DASHBOARDS_DIR = path.join(ROOT, 'deploy/grafana/dashboards');

export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

/** Every panel query of every provisioned dashboard, rows' nested panels included. */
export function dashboardQueries(): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const file of readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'))) {
    const board = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8')) as { panels?: Panel[] };
    const visit = (panels: Panel[] = []) => {
      for (const p of panels) {
        for (const t of p.targets ?? []) {
          if (t.expr) out.push({ dashboard: file, panel: p.title ?? '(untitled)', expr: t.expr });
        }
        visit(p.panels);
      }
    };
    visit(board.panels);
  }
  return out;
}

/**
 * Grafana's variables as Grafana would fill them for a short look at a fresh stack: interval variables
 * become a window that holds several scrapes, and any dashboard variable matches every value (dashboards
 * write multi-value variables as regex matchers, `label=~"$var"`).
 */
export function withGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$\{?__(rate_interval|interval|range)\}?/g, (_m, v: string) => (v === 'range' ? '1h' : '1m'))
    .replace(/\$\{(\w+)(:\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, '.*');
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects. Label matchers, ranges, grouping clauses and strings go
 * first, then what is left that is neither a number, a keyword nor a function call is a metric name.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?\w+/g, ' ')
    .replace(/@\s*\S+/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/\d[\d.]*(?:e[+-]?\d+)?|[A-Za-z_:][\w:]*/gi)) {
    const token = m[0];
    if (/^\d/.test(token) || KEYWORDS.has(token.toLowerCase())) continue;
    if (/^\s*\(/.test(bare.slice(m.index + token.length))) continue;
    names.add(token);
  }
  return [...names];
}

/** Each metric's selectors as written (`name{matchers}`), so a panel's label filters are checked too. */
export function selectorsIn(expr: string): string[] {
  const out = new Set<string>();
  for (const name of metricNamesIn(expr)) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const m of expr.matchAll(new RegExp(`(?<![\\w:])${escaped}(?![\\w:])\\s*(\\{[^}]*\\})?`, 'g'))) {
      out.add(`${name}${m[1] ?? ''}`);
    }
  }
  return [...out];
}
