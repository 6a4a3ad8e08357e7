import type { DevStack } from '../devstack/dev-stack';
import { ContactEvent, TransactionEventInput, ukMobile } from '../devstack/sample-data';

// What the benchmark publishes: many cardholders (a quarter with zh-CN alerts on Chinese mobiles), and
// transactions spread over them, each with an amount of its own so that every alert text is unique and the
// sandbox's messages can be matched one to one with the transactions.

const MERCHANTS = [
  ['CORNER SHOP', 'London'],
  ['CITY CAFE', 'Manchester'],
  ['RAIL TICKETS', 'Leeds'],
  ['BOOKS AND MORE', 'Bristol'],
  ['FUEL STATION 42', 'Glasgow'],
] as const;

const FAST_BATCH = 500;
const FAST_IN_FLIGHT = 4;
// At a fixed rate, the publisher wakes this often and sends what is due (a catch-up batch after a slow send).
const RATE_TICK_MS = 10;
const RATE_MAX_BATCH = 2000;

export function isZh(index: number): boolean {
  return index % 4 === 3;
}

export function benchContact(index: number): ContactEvent {
  return {
    cardholderId: `ch-${index}`,
    phoneNumber: isZh(index) ? `+86138${String(index % 1e8).padStart(8, '0')}` : ukMobile(index),
    smsAlerts: true,
    locale: isZh(index) ? 'zh-CN' : 'en-GB',
    version: 1,
  };
}

export function benchTransaction(
  runId: string,
  index: number,
  cardholders: number,
  authorisedAt: string,
): TransactionEventInput {
  const holder = index % cardholders;
  const [merchantName, merchantCity] = MERCHANTS[index % MERCHANTS.length];
  return {
    eventId: `${runId}-ev-${index}`,
    transactionId: `${runId}-tx-${index}`,
    cardholderId: `ch-${holder}`,
    cardId: `card-${holder}`,
    cardLast4: String(holder % 10000).padStart(4, '0'),
    amountMinor: 100 + index,
    currency: isZh(holder) ? 'CNY' : 'GBP',
    merchantName,
    merchantCity,
    channel: 'CONTACTLESS',
    authorisedAt,
  };
}

/** Publishes the contacts in batches; the caller waits for the projection. */
export async function publishContacts(stack: DevStack, count: number): Promise<void> {
  for (let start = 0; start < count; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - start) }, (_, i) => benchContact(start + i));
    await stack.publishContacts(batch);
  }
}

export interface PublishResult {
  published: number;
  firstAt: number;
  lastAt: number;
}

export class TransactionPublisher {
  published = 0;
  /** Set by an interrupt: stop after the batch in flight. */
  stopped = false;

  constructor(
    private readonly stack: DevStack,
    private readonly runId: string,
    private readonly cardholders: number,
  ) {}

  /** `rate` events per second in timed batches, or 0 for as fast as the broker acknowledges (acks=all). */
  async run(events: number, rate: number): Promise<PublishResult> {
    const firstAt = Date.now();
    if (rate > 0) await this.paced(events, rate, firstAt);
    else await this.flatOut(events);
    return { published: this.published, firstAt, lastAt: Date.now() };
  }

  private async paced(events: number, rate: number, startedAt: number): Promise<void> {
    let next = 0;
    while (next < events && !this.stopped) {
      const due = Math.min(events, Math.floor(((Date.now() - startedAt) * rate) / 1000) + 1);
      if (due > next) {
        const count = Math.min(due - next, RATE_MAX_BATCH);
        await this.send(next, count);
        next += count;
      } else {
        await sleep(Math.min(RATE_TICK_MS, (next * 1000) / rate - (Date.now() - startedAt)));
      }
    }
  }

  private async flatOut(events: number): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < events && !this.stopped) {
        const start = next;
        const count = Math.min(FAST_BATCH, events - start);
        next += count;
        await this.send(start, count);
      }
    };
    await Promise.all(Array.from({ length: FAST_IN_FLIGHT }, worker));
  }

  private async send(start: number, count: number): Promise<void> {
    const at = new Date().toISOString();
    const batch = Array.from({ length: count }, (_, i) =>
      benchTransaction(this.runId, start + i, this.cardholders, at),
    );
    await this.stack.publishTransactions(batch);
    this.published += count;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));
