import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { DevStack } from '../devstack/dev-stack';
import { openedAttempts } from '../devstack/opened-alerts';
import { ContactEvent, makeContact, makeTransaction } from '../devstack/sample-data';
import type { Scenario } from './demo-scenarios';

/**
 * Mainland China: the bank sends zh-CN alerts through Aliyun SMS (an approved template, its params and the
 * registered signature) with the other providers behind it. The demo restarts the dispatcher with Aliyun
 * first in PROVIDERS, sends a zh-CN alert through Aliyun, then takes Aliyun down in the sandbox: the next
 * alert fails over to whatever provider follows Aliyun in PROVIDERS.
 */
export class AliyunSamples {
  readonly contacts: ContactEvent[];
  private readonly run = randomBytes(3).toString('hex');
  private next = 0;

  constructor() {
    this.contacts = [1, 2].map((i) =>
      makeContact({
        cardholderId: `demo-${this.run}-mainland-${i}`,
        phoneNumber: `+86139${String(10_000_000 + Math.floor(Math.random() * 89_999_999))}`,
        locale: 'zh-CN',
      }),
    );
  }

  alert(name: string, provider: string): Scenario {
    const contact = this.contacts[this.next++ % this.contacts.length];
    const transaction = makeTransaction(contact.cardholderId, {
      transactionId: `demo-${this.run}-mainland-${this.next}-${randomBytes(2).toString('hex')}`,
      amountMinor: 3650 + this.next,
      currency: 'CNY',
      merchantName: '瑞幸咖啡',
      merchantCity: '上海',
    });
    return { name, expected: { status: 'DELIVERED', provider }, transaction };
  }
}

/** The dispatcher again, now with Aliyun first in PROVIDERS; returns the provider that follows Aliyun. */
/** Mainland China's route: Aliyun SMS first, Tencent Cloud SMS behind it, then the others. */
const MAINLAND_ROUTE = ['aliyun', 'tencent'];

/** Restarts the dispatcher on the mainland route; returns the provider that takes over from Aliyun. */
export async function routeThroughAliyun(stack: DevStack): Promise<string> {
  const others = (stack.env.PROVIDERS ?? 'twilio,vonage,smpp')
    .split(',')
    .filter((p) => !MAINLAND_ROUTE.includes(p));
  const dispatcher = stack.role('dispatcher');
  await dispatcher.stop();
  // The role processes read the stack's env when they start.
  stack.env.PROVIDERS = [...MAINLAND_ROUTE, ...others].join(',');
  await dispatcher.start();
  return MAINLAND_ROUTE[1];
}

/** What the handset showed for an alert sent through Aliyun (【signature】 + the filled template). */
export async function handsetText(db: Pool, transactionId: string): Promise<string | undefined> {
  const [attempt] = await openedAttempts(db, 'n.transaction_id', transactionId);
  return attempt?.handset_text ?? undefined;
}
