import { bullAddFloor, bullProcessFloor } from './floor-bull';
import { httpSendFloor } from './floor-http';
import { kafkaConsumeFloor } from './floor-kafka';
import { postgresInsertFloor } from './floor-postgres';
import type { FloorJob, FloorProgress, ReportProgress } from './floor.types';

// A floor measurement in a process of its own (forked by floor.ts): the job comes as JSON in argv, progress
// and the result go back over IPC; consumers run until the parent sends "stop".
const job = JSON.parse(process.argv[2]) as FloorJob;
const report: ReportProgress = (p, done = false) => {
  const message: FloorProgress = { type: done ? 'done' : 'progress', ...p };
  process.send?.(message);
};
const stopped = new Promise<void>((resolve) => process.on('message', (m) => m === 'stop' && resolve()));

async function run(): Promise<void> {
  switch (job.mode) {
    case 'kafka-consume':
      return kafkaConsumeFloor(job, report, stopped);
    case 'bull-process':
      return bullProcessFloor(job, report, stopped);
    case 'bull-add':
      return bullAddFloor(job, report);
    case 'pg-insert':
      return postgresInsertFloor(job, report);
    case 'http-send':
      return httpSendFloor(job, report);
  }
}

run().then(
  () => process.disconnect?.(),
  (err: unknown) => {
    process.stderr.write(
      `floor ${job.mode} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
