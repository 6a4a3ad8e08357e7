import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';

const MINUTE_S = 60;

/** Where a budget was spent; also the label of alertline_refused_requests_throttled_total. */
export type Surface = 'api' | 'webhook';

/** One request counted against a budget: over it or not, and whether it is the first one over it. */
export interface Spent {
  over: boolean;
  /** The first request past the budget this window: the one that still leaves an audit row. */
  firstOver: boolean;
  retryAfterSeconds: number;
}

/**
 * Per-process budgets, in memory (rate-limiter-flexible, fixed one-minute windows): refused requests per
 * client IP and surface, and authenticated requests per API key. In memory on purpose: a refusal must
 * cost no round trip to a shared store (a flood of them would then load Redis instead of Postgres), and
 * with N api processes the bound is N times the setting, still a bound. Each window's key expires with
 * it, so memory follows the number of sources active in the last minute.
 */
@Injectable()
export class RequestThrottle {
  private readonly refusals: Record<Surface, RateLimiterMemory>;
  private readonly principals: RateLimiterMemory;

  constructor(
    config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    const points = config.get('REFUSED_REQUESTS_PER_MINUTE');
    this.refusals = {
      api: new RateLimiterMemory({ keyPrefix: 'refused-api', points, duration: MINUTE_S }),
      webhook: new RateLimiterMemory({ keyPrefix: 'refused-webhook', points, duration: MINUTE_S }),
    };
    this.principals = new RateLimiterMemory({
      keyPrefix: 'principal',
      points: config.get('API_REQUESTS_PER_PRINCIPAL_PER_MINUTE'),
      duration: MINUTE_S,
    });
  }

  /** Seconds until `source` may be refused again, when it already used its budget; null otherwise. */
  async blocked(surface: Surface, source: string): Promise<number | null> {
    const limiter = this.refusals[surface];
    const res = await limiter.get(source);
    return res && res.consumedPoints >= limiter.points ? seconds(res) : null;
  }

  /** Counts one refused request from `source` (and one past the budget: it still marks firstOver). */
  refused(surface: Surface, source: string): Promise<Spent> {
    return spend(this.refusals[surface], source);
  }

  /** Counts one authenticated request of `principalId`. */
  request(principalId: string): Promise<Spent> {
    return spend(this.principals, principalId);
  }

  /** Answers 429 with Retry-After; the error's message names the budget, so a client knows which. */
  reject(surface: Surface, res: Response, retryAfterSeconds: number, setting: string): never {
    this.metrics.refusedThrottled.inc({ surface });
    res.setHeader('Retry-After', String(retryAfterSeconds));
    throw new HttpException(
      `too many requests: ${setting} is spent; try again in ${retryAfterSeconds} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** The client as the socket sees it (no `trust proxy`: a forwarded header is the client's to forge). */
export const sourceOf = (req: { ip?: string; socket?: { remoteAddress?: string } }): string =>
  req.ip ?? req.socket?.remoteAddress ?? 'unknown';

async function spend(limiter: RateLimiterMemory, key: string): Promise<Spent> {
  let res: RateLimiterRes;
  let over = false;
  try {
    res = await limiter.consume(key, 1);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    res = err;
    over = true;
  }
  return {
    over,
    firstOver: over && res.consumedPoints === limiter.points + 1,
    retryAfterSeconds: seconds(res),
  };
}

const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
