import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { Clock } from '../common/clock';
import { loadConfig } from '../providers/provider-config';
import { ConfigError } from '../config/config.schema';
import { Database } from '../database/database.service';
import { parseWindow, ReconciliationInputError, transactionIdsFromCsv } from './reconciliation.input';
import { CATEGORIES, ReconciliationReport } from './reconciliation.report';
import { ReconciliationRepository } from './reconciliation.repository';
import { ReconciliationService } from './reconciliation.service';

const USAGE =
  'usage: npm run reconcile -- <file.csv> --from <ISO time> --to <ISO time> [--limit <ids per list>]';

/**
 * `npm run reconcile`: the same report as POST /v1/reconciliations, straight from DATABASE_URL (no api
 * process needed). The JSON report goes to stdout, a summary with the run's time and peak memory to stderr.
 * Exit 0 when the report was made (whatever it found), 2 on bad arguments, 1 on any other failure.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new ReconciliationInputError(USAGE);
  const window = parseWindow(values);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new ReconciliationInputError('--limit must be a whole number');
  }
  const config = loadConfig();
  const db = new Database(config);
  try {
    const service = new ReconciliationService(config, new Clock(), db, new ReconciliationRepository());
    const file = createReadStream(positionals[0]);
    const report = await service.reconcile((limits) => transactionIdsFromCsv(file, limits), window, limit);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(summary(report));
  } finally {
    await db.onModuleDestroy();
  }
}

function summary(r: ReconciliationReport): string {
  const lines = [
    `reconciled ${r.listed} listed ids (${r.duplicates} repeated, ${r.invalid} invalid) for ${r.window.from} .. ${r.window.to}`,
    ...CATEGORIES.map((c) => `  ${c.padEnd(12)} ${r[c].count}`),
    ...Object.entries(r.skippedByReason).map(([reason, l]) => `    ${reason.padEnd(16)} ${l.count}`),
    `  ${'unexpected'.padEnd(12)} ${r.unexpected.count}`,
    `  ${'outside'.padEnd(12)} ${r.outsideWindow.count}`,
    // maxRSS is in kilobytes: the peak resident memory of this whole process.
    `took ${r.elapsedMs} ms, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`,
  ];
  return `${lines.join('\n')}\n`;
}

main().catch((err: unknown) => {
  if (err instanceof ReconciliationInputError || err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  const code = (err as NodeJS.ErrnoException).code;
  process.stderr.write(
    `reconcile failed: ${code === 'ENOENT' ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`,
  );
  process.exit(1);
});
