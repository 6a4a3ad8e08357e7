import { Injectable } from '@nestjs/common';
import { SmsQueue } from './sms-queue.service';

export type JobCheck = 'live' | 'missing' | 'finished';

/**
 * What the sms queue holds for an alert (jobId = alert id). Redis is only the schedule: a job can vanish
 * (Redis restarted without persistence) or end failed (stalled twice), while Postgres still says QUEUED.
 */
@Injectable()
export class SmsJobs {
  constructor(private readonly sms: SmsQueue) {}

  /** `finished` is a completed or finally failed job: Bull would ignore a new job with that id. */
  async check(ids: string[]): Promise<Map<string, JobCheck>> {
    const jobs = await Promise.all(ids.map((id) => this.sms.queue.getJob(id)));
    return new Map(ids.map((id, i) => [id, !jobs[i] ? 'missing' : jobs[i].finishedOn ? 'finished' : 'live']));
  }

  /** Puts the alerts back on the queue, first removing finished jobs whose ids would block the new ones. */
  async requeue(ids: string[], finished: string[]): Promise<void> {
    await Promise.all(
      finished.map(async (id) => {
        const job = await this.sms.queue.getJob(id);
        // A job that started again meanwhile (someone retried it) cannot be removed and needs no new one.
        await job?.remove().catch(() => undefined);
      }),
    );
    await this.sms.enqueue(ids);
  }
}
