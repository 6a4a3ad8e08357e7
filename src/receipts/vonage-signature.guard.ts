import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
// The sandbox's signing code is Vonage's algorithm, kept in one place; it moves to src/providers/vonage/
// once the sandbox is finished.
import { verifyVonageSignature } from './vonage-signature';
import { WebhookRefusal } from './webhook-refusal';

/**
 * Signed DLRs: `sig` over every other parameter (query and body), keyed with the account's signature
 * secret, compared in constant time. A missing or wrong signature is a 403 and is counted. The signed
 * `timestamp` (unix seconds, Vonage's time of sending) must lie within RECEIPT_MAX_AGE_SECONDS before our
 * clock and RECEIPT_MAX_FUTURE_SKEW_SECONDS after it: a captured DLR is refused once it is stale, even with
 * its valid signature. Inside the window a replay is stopped by the receipts' dedupe instead.
 */
@Injectable()
export class VonageSignatureGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly refusal: WebhookRefusal,
    private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const params = vonageDlrParams(req);
    const secret = this.config.get('VONAGE_SIGNATURE_SECRET');
    if (!verifyVonageSignature(params, secret, this.config.get('VONAGE_SIGNATURE_METHOD'))) {
      return this.refusal.refuse(context, 'vonage', 'BAD_SIGNATURE', 'invalid Vonage signature');
    }
    const problem = timestampProblem(
      params.timestamp,
      this.clock.now().getTime(),
      this.config.get('RECEIPT_MAX_AGE_SECONDS'),
      this.config.get('RECEIPT_MAX_FUTURE_SKEW_SECONDS'),
    );
    if (problem) return this.refusal.refuse(context, 'vonage', 'STALE_TIMESTAMP', problem);
    return true;
  }
}

/** Why a signed DLR's `timestamp` is outside the window, or null when it is inside. */
export function timestampProblem(
  value: unknown,
  nowMs: number,
  maxAgeSeconds: number,
  futureSkewSeconds: number,
): string | null {
  if (typeof value !== 'string' || !/^\d{1,12}$/.test(value)) {
    return 'signed Vonage DLR without a unix-seconds timestamp';
  }
  const age = Math.floor(nowMs / 1000) - Number(value);
  if (age > maxAgeSeconds) {
    return `Vonage DLR timestamp is ${age} s old; at most ${maxAgeSeconds} s are accepted (RECEIPT_MAX_AGE_SECONDS)`;
  }
  if (-age > futureSkewSeconds) {
    return `Vonage DLR timestamp is ${-age} s ahead of this server's clock; at most ${futureSkewSeconds} s are accepted (RECEIPT_MAX_FUTURE_SKEW_SECONDS)`;
  }
  return null;
}

/** Vonage sends DLRs as a GET query, a form POST or a JSON POST, depending on the account's settings. */
export function vonageDlrParams(req: Request): Record<string, unknown> {
  const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
  return { ...(req.query as Record<string, unknown>), ...body };
}
