import { randomUUID } from 'node:crypto';
import Bull from 'bull';
import { SEND_JOB } from '../queue/sms-queue';
import type { FloorJob, ReportProgress } from './floor.types';

// The queue's own cost: jobs shaped like the pipeline's (the alert id as job id and data, removed on
// completion) added with addBulk and taken by a processor that does nothing, at the dispatcher's concurrency.

function queueFor(job: FloorJob): Bull.Queue {
  const { redisUrl, prefix, queue } = job.bull!;
  return new Bull(queue, { redis: redisUrl, prefix });
}

export async function bullProcessFloor(
  job: FloorJob,
  report: ReportProgress,
  stopped: Promise<void>,
): Promise<void> {
  const queue = queueFor(job);
  let items = 0;
  let startedAt = 0;
  let lastAt = 0;
  void queue.process(SEND_JOB, job.concurrency, async () => {
    startedAt ||= Date.now();
    items++;
    lastAt = Date.now();
  });
  await queue.isReady();
  report({ items, startedAt, lastAt });
  const timer = setInterval(() => report({ items, startedAt, lastAt }), 100);
  await stopped;
  clearInterval(timer);
  await queue.close();
  report({ items, startedAt, lastAt }, true);
}

export async function bullAddFloor(job: FloorJob, report: ReportProgress): Promise<void> {
  const queue = queueFor(job);
  await queue.isReady();
  const { batch } = job.bull!;
  let next = 0;
  let items = 0;
  const startedAt = Date.now();
  const adder = async () => {
    while (next < job.items) {
      const count = Math.min(batch, job.items - next);
      next += count;
      const ids = Array.from({ length: count }, () => randomUUID());
      await queue.addBulk(
        ids.map((id) => ({
          name: SEND_JOB,
          data: { notificationId: id },
          opts: { jobId: id, attempts: 10000, removeOnComplete: true, removeOnFail: 5000 },
        })),
      );
      items += count;
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, adder));
  report({ items, startedAt, lastAt: Date.now() }, true);
  await queue.close();
}
