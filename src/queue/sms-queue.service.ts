import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import { SEND_JOB, SendJobData, SMS_QUEUE } from './sms-queue';

const JOB_DEFAULTS: JobOptions = {
  removeOnComplete: true,
  removeOnFail: 5000,
};

/** Adds send jobs. A job id that is still in Redis is ignored by Bull, so adding twice is harmless. */
@Injectable()
export class SmsQueue {
  constructor(@InjectQueue(SMS_QUEUE) readonly queue: Queue<SendJobData>) {}

  async enqueue(notificationIds: string[], opts: JobOptions = {}): Promise<void> {
    if (notificationIds.length === 0) return;
    await this.queue.addBulk(
      notificationIds.map((id) => ({
        name: SEND_JOB,
        data: { notificationId: id },
        opts: { ...JOB_DEFAULTS, ...opts, jobId: id },
      })),
    );
  }
}
