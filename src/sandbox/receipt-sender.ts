import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { ProviderName } from '../config/config.schema';
import { AppLogger, LOGGER } from '../common/logger.module';
import { SandboxMetrics } from './sandbox.metrics';
import { TimerWheel } from './timer-wheel';

export interface ReceiptPost {
  provider: ProviderName;
  url: string;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

// Waits after failed attempts 1, 2 and 3; four attempts in all. Vonage retries DLRs for longer and Twilio
// hardly at all; a few quick retries cover a webhook restarting during a test or the demo.
const RETRY_DELAYS_MS = [250, 1000, 4000];
const REQUEST_TIMEOUT_MS = 5000;
// Receipts waiting or in flight. Beyond this (a dead webhook under the benchmark) new ones are dropped and
// counted, rather than growing memory without bound.
const MAX_OUTSTANDING = 100_000;

/**
 * Delivers status callbacks and DLRs over keep-alive connections (64 per host: thousands of receipts a
 * second would otherwise open as many sockets), off the send path: `post` only queues. 2xx is success;
 * network errors, timeouts, 429 and 5xx are retried; any other 4xx is the receiver's final answer (a 403
 * for a bad signature will not change on retry).
 */
@Injectable()
export class ReceiptSender implements OnModuleDestroy {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
  private outstanding = 0;
  private closed = false;

  constructor(
    private readonly wheel: TimerWheel,
    private readonly metrics: SandboxMetrics,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  post(receipt: ReceiptPost): void {
    if (this.closed) return;
    if (this.outstanding >= MAX_OUTSTANDING) {
      this.metrics.receipts.inc({ provider: receipt.provider, outcome: 'dropped' });
      return;
    }
    this.outstanding++;
    this.attempt(receipt, 0);
  }

  get pending(): number {
    return this.outstanding;
  }

  onModuleDestroy(): void {
    this.closed = true;
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private attempt(receipt: ReceiptPost, failures: number): void {
    let url: URL;
    try {
      url = new URL(receipt.url);
    } catch {
      return this.finish(receipt, 'bad_url');
    }
    const secure = url.protocol === 'https:';
    let settled = false;
    const settle = (outcome: 'ok' | 'retry' | 'rejected', detail: string) => {
      if (settled) return;
      settled = true;
      if (outcome === 'ok') return this.finish(receipt, 'delivered');
      if (outcome === 'rejected') return this.finish(receipt, 'rejected', detail);
      if (this.closed || failures >= RETRY_DELAYS_MS.length) return this.finish(receipt, 'failed', detail);
      this.metrics.receipts.inc({ provider: receipt.provider, outcome: 'retried' });
      this.wheel.schedule(RETRY_DELAYS_MS[failures], () => this.attempt(receipt, failures + 1));
    };
    const req = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          ...receipt.headers,
          'content-type': receipt.contentType,
          'content-length': Buffer.byteLength(receipt.body),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume(); // drain, so the socket goes back to the pool
        res.on('end', () => {
          if (status >= 200 && status < 300) settle('ok', '');
          else if (status === 429 || status >= 500) settle('retry', `HTTP ${status}`);
          else settle('rejected', `HTTP ${status}`);
        });
        res.on('error', (err) => settle('retry', err.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (err) => settle('retry', err.message));
    req.end(receipt.body);
  }

  private finish(receipt: ReceiptPost, outcome: string, detail?: string): void {
    this.outstanding--;
    this.metrics.receipts.inc({ provider: receipt.provider, outcome });
    // Debug only: under the benchmark a dead webhook would otherwise log thousands of lines a second.
    if (outcome !== 'delivered') {
      this.logger.debug({ provider: receipt.provider, outcome, detail }, 'sandbox receipt not delivered');
    }
  }
}
