import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { DataCipher } from '../crypto/data-cipher';
import { Database } from '../database/database.service';
import type { DevStack } from '../devstack/dev-stack';
import { loadConfig } from '../providers/provider-config';
import { RepliesRepository } from '../replies/replies.repository';
import { ContactEvent, makeContact, makeTransaction } from '../devstack/sample-data';

interface ReplyCase {
  name: string;
  provider: 'twilio' | 'vonage' | 'smpp';
  from: string;
  text: string;
  signature?: 'forged';
  /** What should be stored: its reading and whether it links to an alert; null: refused, nothing stored. */
  expected: { classification: string; linked: boolean } | null;
}

interface Stored {
  text: string;
  classification: string;
  linked: boolean;
  published: boolean;
}

/**
 * The cardholder's reply (docs/design.md): an English "NOT ME" over Twilio and a Chinese "不是我" over
 * Vonage, linked to the alerts just sent and published to the fraud topic; a thank-you over SMPP kept as
 * text; a reply from a number no alert went to, kept unlinked; a forged webhook, refused.
 */
export class ReplySamples {
  readonly contacts: ContactEvent[];
  private readonly run = randomBytes(3).toString('hex');
  private readonly en: ContactEvent;
  private readonly zh: ContactEvent;

  constructor() {
    const id = (s: string) => `demo-${this.run}-reply-${s}`;
    this.en = makeContact({ cardholderId: id('rosa'), phoneNumber: '+447911200500', locale: 'en-GB' });
    this.zh = makeContact({
      cardholderId: id('wei'),
      phoneNumber: '13800138005',
      region: 'CN',
      locale: 'zh-CN',
    });
    this.contacts = [this.en, this.zh];
  }

  async play(stack: DevStack, db: Pool, log: (msg: string) => void): Promise<boolean> {
    const zhPhone = '+8613800138005';
    const stranger = `+4479112${String(Date.now()).slice(-5)}`;
    const cases: ReplyCase[] = [
      {
        name: 'NOT ME (en, Twilio)',
        provider: 'twilio',
        from: this.en.phoneNumber,
        text: 'NOT ME',
        expected: { classification: 'NOT_RECOGNISED', linked: true },
      },
      {
        name: '不是我 (zh-CN, Vonage)',
        provider: 'vonage',
        from: zhPhone,
        text: '不是我！',
        expected: { classification: 'NOT_RECOGNISED', linked: true },
      },
      {
        name: 'thanks (en, SMPP)',
        provider: 'smpp',
        from: this.en.phoneNumber,
        text: 'Thanks, that was me',
        expected: { classification: 'OTHER', linked: true },
      },
      {
        name: 'unknown number',
        provider: 'twilio',
        from: stranger,
        text: 'who is this?',
        expected: { classification: 'OTHER', linked: false },
      },
      {
        name: 'forged webhook',
        provider: 'twilio',
        from: this.en.phoneNumber,
        text: `FRAUD ${this.run}`,
        signature: 'forged',
        expected: null,
      },
    ];
    log('');
    log("== the cardholder's reply: two alerts sent, then replies by Twilio, Vonage and SMPP");
    const txns = [
      makeTransaction(this.en.cardholderId, {
        transactionId: `demo-${this.run}-r1`,
        amountMinor: 4999,
        currency: 'GBP',
        merchantName: 'GADGET STORE',
      }),
      makeTransaction(this.zh.cardholderId, {
        transactionId: `demo-${this.run}-r2`,
        amountMinor: 68800,
        currency: 'CNY',
        merchantName: 'JD.COM',
      }),
    ];
    await stack.publishTransactions(txns);
    await poll(async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM notifications WHERE transaction_id = ANY($1) AND accepted_at IS NOT NULL`,
        [txns.map((x) => x.transactionId)],
      );
      return rows[0].n === txns.length;
    });
    for (const c of cases) {
      await stack.sandboxClient.sendInbound(c.provider, {
        from: c.from,
        text: c.text,
        signature: c.signature,
      });
    }
    // Replies are sealed at rest: read back through the product's repository (the number's keyed hash).
    const config = loadConfig({ DATABASE_URL: stack.env.DATABASE_URL });
    const database = new Database(config);
    const repository = new RepliesRepository(database, new DataCipher(config));
    const since = Date.now() - 60_000;
    const read = async (): Promise<Stored[]> => {
      const rows = (
        await Promise.all([this.en.phoneNumber, zhPhone, stranger].map((p) => repository.fromNumber(p)))
      )
        .flat()
        .filter((r) => r.received_at.getTime() > since);
      const { rows: published } = await db.query<{ reply_id: string }>(
        `SELECT reply_id FROM reply_outbox WHERE published_at IS NOT NULL AND reply_id = ANY($1)`,
        [rows.map((r) => r.id)],
      );
      const done = new Set(published.map((p) => p.reply_id));
      return rows.map((r) => ({
        text: r.text ?? '',
        classification: r.classification,
        linked: r.notification_id !== null,
        published: done.has(r.id),
      }));
    };
    const expectedCount = cases.filter((c) => c.expected).length;
    await poll(async () => (await read()).filter((r) => r.published).length >= expectedCount);
    const stored = await read();
    let ok = true;
    for (const c of cases) {
      const s = stored.find((r) => r.text === c.text);
      const actual = s
        ? `${s.classification} ${s.linked ? 'linked' : 'unlinked'}${s.published ? ' published' : ''}`
        : 'refused';
      const want = c.expected
        ? `${c.expected.classification} ${c.expected.linked ? 'linked' : 'unlinked'} published`
        : 'refused';
      const good = actual === want;
      ok &&= good;
      log(
        `   ${c.name.padEnd(24)} expected ${want.padEnd(32)} actual ${actual.padEnd(32)} ${good ? 'yes' : 'NO'}`,
      );
    }
    log(ok ? '   every reply ended as expected' : '   SOME REPLIES DID NOT END AS EXPECTED');
    await database.onModuleDestroy();
    return ok;
  }
}

async function poll(done: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !(await done())) await new Promise((r) => setTimeout(r, 300));
}
