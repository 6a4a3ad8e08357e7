import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BenchUsageError, parseBenchArgs } from './bench.options';
import { printReport } from './bench.print';
import { defaultJsonPath, writeJson } from './bench.report';
import { BenchRun } from './bench.run';

// `npm run bench -- [--events N] [--rate R] [--provider-latency MS] [--json FILE] [--quick] ...`: the whole
// pipeline as processes on this machine under load, with the infrastructure floor measured in the same run.
// Exits 1 when an event was not delivered exactly once, 2 on a bad command line.
const root = path.resolve(__dirname, '../..');
const adminUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/alertline';
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const options = parseBenchArgs(process.argv.slice(2));
  log('== infrastructure (Kafka, Redis, PostgreSQL): starting what is missing');
  const infra = spawnSync('bash', [path.join(root, 'deploy/infra.sh'), 'up'], { stdio: 'inherit' });
  if (infra.status !== 0) throw new Error('infrastructure did not start (see above)');

  const run = new BenchRun(options, root, adminUrl, log);
  process.once('SIGINT', () => {
    log(
      '!! interrupted: stopping, cleaning up and reporting what was measured (Ctrl-C again to quit at once)',
    );
    run.interrupt();
  });
  const result = await run.run();
  printReport(result, log);
  const file = path.resolve(options.json ?? defaultJsonPath(root, result.startedAt));
  writeJson(result, file);
  log(`results: ${file}`);
  return result.verification.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof BenchUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
