import path from 'node:path';
import { ChaosUsageError, parseChaosArgs } from './chaos.options';
import { defaultChaosJsonPath, printChaosReport, writeChaosJson } from './chaos.report';
import { ChaosRun } from './chaos.run';

// `npm run chaos -- [--rate R] [--duration S] [--quick] [--json FILE] ...`: a steady load through separate
// ingest, dispatcher and api processes and the sandbox, with real faults injected one after another into
// private PostgreSQL, Redis and Kafka instances (the shared ones are never touched). Exits 1 when an alert
// was lost, left non-final, duplicated without a documented reason, a webhook got a 5xx, or a role died.
const root = path.resolve(__dirname, '../..');
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const options = parseChaosArgs(process.argv.slice(2));
  const result = await new ChaosRun(options, root, log).run();
  printChaosReport(result, log);
  const file = path.resolve(options.json ?? defaultChaosJsonPath(root, result.startedAt));
  writeChaosJson(result, file);
  log(`results: ${file}`);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ChaosUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `chaos failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
