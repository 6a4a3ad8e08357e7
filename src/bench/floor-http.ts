import twilio from 'twilio';
import { ukMobile } from '../devstack/sample-data';
import { SandboxRequestClient } from '../providers/twilio/twilio.request-client';
import type { FloorJob, ReportProgress } from './floor.types';

/**
 * Round trips to the sandbox's Twilio API through the real twilio SDK, set up as the dispatcher's adapter
 * sets it up (src/providers/twilio/twilio.provider.ts), `concurrency` requests at a time. No status
 * callback is asked for, so the api is not involved.
 */
export async function httpSendFloor(job: FloorJob, report: ReportProgress): Promise<void> {
  const { baseUrl, accountSid, authToken, from, timeoutMs } = job.http!;
  const client = twilio(accountSid, authToken, {
    httpClient: new SandboxRequestClient(baseUrl, { timeout: timeoutMs, keepAlive: true }),
    autoRetry: false,
  });
  let next = 0;
  let items = 0;
  const startedAt = Date.now();
  const sender = async () => {
    while (next < job.items) {
      const i = next++;
      await client.messages.create({
        to: ukMobile(i),
        from,
        body: `Alertline Bank: floor message ${i}: your card ending 0042 was used for GBP 12.34 at CORNER SHOP, London.`,
      });
      items++;
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, sender));
  report({ items, startedAt, lastAt: Date.now() }, true);
}
