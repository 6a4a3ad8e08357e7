import { ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequestThrottle, sourceOf } from '../auth/request-throttle';
import { Metrics } from '../metrics/metrics.service';
import type { RefusalReason } from '../providers/provider-definition';

/**
 * Refuses a receipt webhook: counted, then 403, or 429 with Retry-After once the source has spent
 * REFUSED_REQUESTS_PER_MINUTE. Only refused requests are counted: a genuine receipt is never throttled, as
 * providers send from shared address pools (and behind a proxy every request may carry the proxy's).
 */
@Injectable()
export class WebhookRefusal {
  constructor(
    private readonly throttle: RequestThrottle,
    private readonly metrics: Metrics,
  ) {}

  async refuse(
    context: ExecutionContext,
    provider: string,
    reason: RefusalReason,
    message: string,
  ): Promise<never> {
    const http = context.switchToHttp();
    this.metrics.receipts.inc({ provider, status: reason });
    const spent = await this.throttle.refused('webhook', sourceOf(http.getRequest<Request>()));
    if (spent.over) {
      this.throttle.reject(
        'webhook',
        http.getResponse<Response>(),
        spent.retryAfterSeconds,
        'REFUSED_REQUESTS_PER_MINUTE',
      );
    }
    throw new ForbiddenException(message);
  }
}
