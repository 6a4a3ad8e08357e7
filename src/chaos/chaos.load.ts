import twilio from 'twilio';
import type { DevStack } from '../devstack/dev-stack';
import { benchTransaction } from '../bench/bench.workload';

const TICK_MS = 20;
const MAX_BATCH = 2000;
const RETRY_MS = 500;

export interface LoadWindow {
  /** Transaction indices [first, end) published in this window. */
  first: number;
  end: number;
  startedAt: number;
  endedAt: number;
  /** Longest time the publisher was behind its schedule by more than one second's worth of events. */
  maxBehindSeconds: number;
  /** Failed publish attempts (the broker away), each retried with the same transaction ids. */
  publishFailures: number;
}

/**
 * The bank's side: a steady rate of transactions, as a core-banking producer would keep sending them. A
 * failed send (the broker killed) is retried with the same transactions, so a send that was written but not
 * acknowledged publishes duplicates, which Alertline must dedupe. Indices run on across windows, so every
 * alert text in the run is unique (the sandbox's messages are matched to transactions by recipient and text).
 */
export class SteadyLoad {
  private next = 0;

  constructor(
    private readonly stack: DevStack,
    readonly runId: string,
    private readonly cardholders: number,
  ) {}

  /** Transactions published so far in the run. */
  get published(): number {
    return this.next;
  }

  transactionId(index: number): string {
    return `${this.runId}-tx-${index}`;
  }

  async run(seconds: number, rate: number, stopEarly: () => boolean = () => false): Promise<LoadWindow> {
    const first = this.next;
    const startedAt = Date.now();
    const total = Math.round(seconds * rate);
    let behindSince: number | undefined;
    let maxBehind = 0;
    let failures = 0;
    while (this.next - first < total && !stopEarly()) {
      const due = Math.min(total, Math.floor(((Date.now() - startedAt) * rate) / 1000) + 1);
      const backlog = due - (this.next - first);
      if (backlog > rate) behindSince ??= Date.now();
      else if (behindSince !== undefined) {
        maxBehind = Math.max(maxBehind, (Date.now() - behindSince) / 1000);
        behindSince = undefined;
      }
      if (backlog <= 0) {
        await sleep(TICK_MS);
        continue;
      }
      const count = Math.min(backlog, MAX_BATCH);
      const at = new Date().toISOString();
      const batch = Array.from({ length: count }, (_, i) =>
        benchTransaction(this.runId, this.next + i, this.cardholders, at),
      );
      try {
        await this.stack.publishTransactions(batch);
        this.next += count;
      } catch {
        failures++;
        await sleep(RETRY_MS);
      }
    }
    if (behindSince !== undefined) maxBehind = Math.max(maxBehind, (Date.now() - behindSince) / 1000);
    return {
      first,
      end: this.next,
      startedAt,
      endedAt: Date.now(),
      maxBehindSeconds: maxBehind,
      publishFailures: failures,
    };
  }
}

export interface WebhookAnswers {
  ok: number;
  client4xx: number;
  server5xx: number;
  /** Connection refused or reset: the api down (killed or restarting), not an answer. */
  unreachable: number;
}

const emptyAnswers = (): WebhookAnswers => ({ ok: 0, client4xx: 0, server5xx: 0, unreachable: 0 });

interface TwilioMessage {
  id: string;
  to: string;
  from: string;
  status: string;
}

/**
 * Receipts duplicated, reordered and replayed: every interval it takes Twilio messages the sandbox finished
 * lately and posts, signed as Twilio signs, their final status again (a replay) and then `sent` (an
 * intermediate status arriving after the final one). Alertline must answer 2xx and never move an alert back;
 * every answer is counted, so a 5xx from a role shutting down shows.
 */
export class ReceiptReplayer {
  private answers = emptyAnswers();
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly stack: DevStack,
    private readonly authToken: string,
    private readonly accountSid: string,
    private readonly perTick = 5,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Answers since the last call. */
  take(): WebhookAnswers {
    const a = this.answers;
    this.answers = emptyAnswers();
    return a;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.replayRecent(this.perTick);
    } catch {
      // the sandbox list failed: nothing replayed this tick
    } finally {
      this.busy = false;
    }
  }

  /**
   * Posts, for `count` Twilio messages the sandbox finished in the last `withinMs`, the final status again and
   * then `sent`; all at once when `together` (a burst in flight when a role is stopped). Returns the answers.
   */
  async replayRecent(count: number, together = false, withinMs = 10_000): Promise<WebhookAnswers> {
    const since = new Date(Date.now() - withinMs).toISOString();
    const recent = (await this.stack.sandboxClient.messages({
      provider: 'twilio',
      since,
    })) as unknown as TwilioMessage[];
    const finished = recent.filter((m) => m.status === 'delivered' || m.status === 'undelivered');
    const picked = Array.from(
      { length: finished.length ? count : 0 },
      () => finished[Math.floor(Math.random() * finished.length)],
    );
    const before = { ...this.answers };
    const replay = async (m: TwilioMessage) => {
      await this.post(m, m.status);
      await this.post(m, 'sent');
    };
    if (together) await Promise.all(picked.map(replay));
    else for (const m of picked) await replay(m);
    return {
      ok: this.answers.ok - before.ok,
      client4xx: this.answers.client4xx - before.client4xx,
      server5xx: this.answers.server5xx - before.server5xx,
      unreachable: this.answers.unreachable - before.unreachable,
    };
  }

  private async post(m: TwilioMessage, status: string): Promise<void> {
    const url = `${this.stack.apiUrl}/webhooks/twilio/status`;
    const params: Record<string, string> = {
      MessageSid: m.id,
      SmsSid: m.id,
      AccountSid: this.accountSid,
      From: m.from,
      To: m.to,
      MessageStatus: status,
      SmsStatus: status,
      ApiVersion: '2010-04-01',
    };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(this.authToken, url, params),
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.status >= 500) this.answers.server5xx++;
      else if (res.status >= 400) this.answers.client4xx++;
      else this.answers.ok++;
    } catch {
      this.answers.unreachable++;
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
