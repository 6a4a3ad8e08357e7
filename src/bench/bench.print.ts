import type { BenchResult } from './bench.report';
import { STAGE_LABEL } from './bench.report';

// The human-readable report: the same figures as the JSON file, as a few short tables.
const n0 = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : Math.round(x).toString();
const n2 = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(2);

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
}

export function printReport(res: BenchResult, log: (line: string) => void): void {
  const o = res.options;
  log('');
  log(
    `== ${res.events} events, ${o.rate ? `${o.rate}/s` : 'as fast as possible'}, provider latency ${o.providerLatencyMs} ms, ` +
      `ingest x${o.ingest}, dispatcher x${o.dispatchers} (concurrency ${o.concurrency}), api x${o.api}`,
  );
  log(
    `throughput  ${n0(res.throughput.alertsPerSecond)} alerts/s over ${n2(res.throughput.seconds)} s (first publish -> last DELIVERED)`,
  );
  log('');
  const floorRows = (stage: string) => res.ratios.filter((x) => x.stage === stage);
  const stageRows: string[][] = [];
  for (const s of res.stages) {
    const floors = floorRows(s.stage);
    const first = floors[0];
    stageRows.push([
      STAGE_LABEL[s.stage] ?? s.stage,
      n0(s.rate),
      n2(s.doneAtSeconds),
      first ? res.floor![first.floor].what : '',
      first ? n0(first.floorRate) : '',
      first ? n2(first.ratio) : '',
    ]);
    for (const f of floors.slice(1))
      stageRows.push(['', '', '', res.floor![f.floor].what, n0(f.floorRate), n2(f.ratio)]);
  }
  table(['stage', 'rate/s', 'done at s', 'floor', 'floor/s', 'pipeline/floor'], stageRows).forEach((l) =>
    log(l),
  );
  log(
    `limiting stage: ${res.limitingStage ?? '-'}${res.floorLimit ? `; slowest floor: ${res.floorLimit.floor} ${n0(res.floorLimit.rate)}/s, throughput/floor ${n2(res.throughputToFloor)}` : ''}`,
  );
  log('');
  const lat = Object.entries(res.latencyMs).map(([k, d]) => [
    `authorisedAt -> ${k}`,
    n0(d?.p50),
    n0(d?.p95),
    n0(d?.p99),
    n0(d?.max),
  ]);
  table(['latency (ms)', 'p50', 'p95', 'p99', 'max'], lat).forEach((l) => log(l));
  log('');
  const res2 = res.resources.map((u) => [
    u.group,
    String(u.processes),
    n2(u.cpuSeconds),
    n2(u.cpuMsPerAlert),
    n0(u.peakRssMb),
    n0(u.peakRssTotalMb),
  ]);
  table(['process', 'n', 'cpu s', 'cpu ms/alert', 'peak rss MB', 'sum rss MB'], res2).forEach((l) => log(l));
  log(
    `machine: ${n2(res.machineBusyCores)} of ${res.host.cpus} cores busy on average, ${n2(res.measuredCores)} of them ` +
      `by the processes above (the rest is other work on this machine)`,
  );
  const busy = Object.entries(res.metricsResponseMs).map(
    ([role, d]) => `${role} p50 ${n0(d?.p50)} p99 ${n0(d?.p99)} max ${n0(d?.max)}`,
  );
  log(`/metrics response ms (event-loop stalls): ${busy.join('; ')}`);
  const pg = res.postgres.perAlert;
  const rows = Object.entries(pg.rows).map(
    ([t, r]) =>
      `${t} +${n2(r.inserted)} ~${n2(r.updated)} (hot ${n2(r.hotUpdated)}) read ${n2(r.rowsRead)} ` +
      `idx ${n2(r.indexEntriesRead)}/${n2(r.indexScans)} scans`,
  );
  const all = Object.values(pg.rows);
  const sum = (k: 'inserted' | 'updated' | 'rowsRead' | 'indexEntriesRead' | 'indexScans') =>
    all.reduce((a, r) => a + (r[k] ?? 0), 0);
  const pgCpu = res.resources.find((u) => u.group === 'postgres')?.cpuMsPerAlert;
  log(
    `history ${res.history ? `${res.history.alerts} alerts over ${res.history.months} months` : 'none'}: ` +
      `postgres ${n2(pgCpu)} cpu ms/alert; rows written ${n2(sum('inserted') + sum('updated'))}, rows read ` +
      `${n2(sum('rowsRead'))}, index entries read ${n2(sum('indexEntriesRead'))} in ${n2(sum('indexScans'))} ` +
      `index scans per alert; load average ${res.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
  );
  log(
    `postgres per alert: ${n2(pg.commits)} commits, ${n0(pg.walBytes)} WAL bytes (server-wide); rows: ${rows.join(', ')}`,
  );
  if (res.ceiling?.alertsPerSecond) {
    log(
      `ceiling from the floors (their cpu per item summed, 3 HTTP round trips an alert): ${n2(res.ceiling.cpuMsPerAlert)} ` +
        `cpu ms/alert -> ${n0(res.ceiling.alertsPerSecond)} alerts/s on ${res.host.cpus} cores; throughput/ceiling ${n2(res.ceiling.throughputRatio)}`,
    );
  }
  const batches = Object.entries(res.writeBatches).map(
    ([kind, b]) =>
      `${kind} ${b.meanItems} items x ${b.flushes}${b.fallbacks ? ` (${b.fallbacks} redone alone)` : ''}`,
  );
  if (batches.length) log(`grouped writes (mean items per flush x flushes): ${batches.join('; ')}`);
  for (const p of res.profiles ?? []) {
    log('');
    log(
      `profile ${p.process} (${p.busyMs} ms busy${p.windowed ? ' in the measured window' : ''}): ${p.packages
        .slice(0, 6)
        .map((x) => `${x.name} ${x.percent}%`)
        .join(', ')}`,
    );
    log('  self time:');
    for (const f of p.functions.slice(0, 8)) log(`  ${String(f.percent).padStart(5)}%  ${f.name}`);
    log('  by the nearest Alertline function on the stack:');
    for (const f of p.appFrames.slice(0, 6)) log(`  ${String(f.percent).padStart(5)}%  ${f.name}`);
  }
  log('');
  for (const g of res.goals.filter((x) => x.applies))
    log(`goal: ${g.goal}: ${n2(g.measured)} -> ${g.met ? 'met' : 'NOT met'}`);
  const v = res.verification;
  log(
    v.ok
      ? `verified: ${v.delivered}/${v.expected} DELIVERED, ${v.sandboxMessages} sandbox messages, each alert exactly once`
      : `VERIFICATION FAILED: ${v.problems.join('; ')}`,
  );
}
