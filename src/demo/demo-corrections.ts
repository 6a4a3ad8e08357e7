import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import type { DevStack } from '../devstack/dev-stack';
import {
  ContactEvent,
  makeContact,
  makeReversal,
  makeTransaction,
  ReversalEventInput,
  TransactionEventInput,
} from '../devstack/sample-data';

interface CorrectionCase {
  name: string;
  reversal: ReversalEventInput;
  /** The correction alert's final status, and the reversal's reason when it got no SMS. */
  expected: { status: string; reason?: string };
}

interface Outcome {
  reversal_id: string;
  state: string;
  reason: string | null;
  status: string;
}

/**
 * Correction alerts (docs/design.md): a reversal that arrives before its original waits and goes after it;
 * a refund in zh-CN; two partial reversals that add up and a third that would exceed the original;
 * a reversal of an alert that was skipped.
 */
export class CorrectionSamples {
  readonly contacts: ContactEvent[];
  private readonly run = randomBytes(3).toString('hex');
  private readonly en: ContactEvent;
  private readonly zh: ContactEvent;
  private readonly off: ContactEvent;

  constructor() {
    const id = (s: string) => `demo-${this.run}-corr-${s}`;
    this.en = makeContact({ cardholderId: id('erin'), phoneNumber: '+447911200300', locale: 'en-GB' });
    this.zh = makeContact({
      cardholderId: id('li'),
      phoneNumber: '13800138002',
      region: 'CN',
      locale: 'zh-CN',
    });
    this.off = makeContact({ cardholderId: id('fred'), phoneNumber: '+447911200400', smsAlerts: false });
    this.contacts = [this.en, this.zh, this.off];
  }

  async play(stack: DevStack, db: Pool, log: (msg: string) => void): Promise<boolean> {
    const t = (c: ContactEvent, o: Partial<TransactionEventInput>) =>
      makeTransaction(c.cardholderId, {
        transactionId: `demo-${this.run}-${randomBytes(3).toString('hex')}`,
        ...o,
      });
    const early = t(this.en, {
      amountMinor: 8900,
      currency: 'GBP',
      merchantName: 'HOTEL',
      merchantCity: 'York',
    });
    const shop = t(this.en, { amountMinor: 10000, currency: 'GBP', merchantName: 'OUTDOOR SHOP' });
    const tea = t(this.zh, {
      amountMinor: 12800,
      currency: 'CNY',
      merchantName: 'HEYTEA',
      merchantCity: 'Shenzhen',
    });
    const cinema = t(this.off, { merchantName: 'CINEMA' });
    const cases: CorrectionCase[] = [
      {
        name: 'reversal before its original',
        reversal: makeReversal(early),
        expected: { status: 'DELIVERED' },
      },
      {
        name: 'refund (zh-CN)',
        reversal: makeReversal(tea, { kind: 'REFUND' }),
        expected: { status: 'DELIVERED' },
      },
      {
        name: 'partial reversal 1 of 2',
        reversal: makeReversal(shop, { kind: 'PARTIAL_REVERSAL', amountMinor: 3000 }),
        expected: { status: 'DELIVERED' },
      },
      {
        name: 'partial reversal 2 of 2',
        reversal: makeReversal(shop, { kind: 'PARTIAL_REVERSAL', amountMinor: 7000 }),
        expected: { status: 'DELIVERED' },
      },
      {
        name: 'would exceed the original',
        reversal: makeReversal(shop, { kind: 'PARTIAL_REVERSAL', amountMinor: 500 }),
        expected: { status: 'SKIPPED', reason: 'EXCEEDS_ORIGINAL' },
      },
      {
        name: 'original skipped',
        reversal: makeReversal(cinema),
        expected: { status: 'SKIPPED', reason: 'ALERTS_DISABLED' },
      },
    ];
    log('== corrections: a reversal published before its original, which waits for it');
    await stack.publishReversals([cases[0].reversal]);
    await this.follow(db, [cases[0]], (o) => o.state === 'WAITING_FOR_ORIGINAL');
    log('   waiting (WAITING_FOR_ORIGINAL); now the originals, then the other reversals and refunds');
    await stack.publishTransactions([early, shop, tea, cinema]);
    await waitForAlerts(
      db,
      [shop, tea, cinema].map((x) => x.transactionId),
    );
    await stack.publishReversals(cases.slice(1).map((c) => c.reversal));
    const outcomes = await this.follow(db, cases, (o, c) => o.status === c.expected.status);
    return this.print(cases, outcomes, log);
  }

  private async follow(
    db: Pool,
    cases: CorrectionCase[],
    done: (o: Outcome, c: CorrectionCase) => boolean,
  ): Promise<Map<string, Outcome>> {
    let found = new Map<string, Outcome>();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const { rows } = await db.query<Outcome>(
        `SELECT r.reversal_id, r.state, r.reason, n.status
         FROM reversals r JOIN notifications n ON n.id = r.notification_id WHERE r.reversal_id = ANY($1)`,
        [cases.map((c) => c.reversal.reversalId)],
      );
      found = new Map(rows.map((r) => [r.reversal_id, r]));
      if (cases.every((c) => found.has(c.reversal.reversalId) && done(found.get(c.reversal.reversalId)!, c)))
        break;
      await new Promise((r) => setTimeout(r, 300));
    }
    return found;
  }

  private print(
    cases: CorrectionCase[],
    outcomes: Map<string, Outcome>,
    log: (msg: string) => void,
  ): boolean {
    log('');
    let ok = true;
    for (const c of cases) {
      const o = outcomes.get(c.reversal.reversalId);
      const good =
        !!o && o.status === c.expected.status && (!c.expected.reason || o.reason === c.expected.reason);
      ok &&= good;
      const actual = o ? `${o.status} ${o.state}${o.reason ? ` ${o.reason}` : ''}` : 'missing';
      const want = [c.expected.status, c.expected.reason].filter(Boolean).join(' ');
      log(
        `   ${c.name.padEnd(28)} expected ${want.padEnd(26)} actual ${actual.padEnd(40)} ${good ? 'yes' : 'NO'}`,
      );
    }
    log(ok ? '   every correction ended as expected' : '   SOME CORRECTIONS DID NOT END AS EXPECTED');
    return ok;
  }
}

/** The originals must be recorded (and the delivered ones accepted) before their reversals are published. */
async function waitForAlerts(db: Pool, transactionIds: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notifications
       WHERE transaction_id = ANY($1) AND status IN ('SKIPPED', 'SENT', 'DELIVERED')`,
      [transactionIds],
    );
    if (rows[0].n === transactionIds.length) return;
    await new Promise((r) => setTimeout(r, 300));
  }
}
