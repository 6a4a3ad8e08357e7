import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { Clock } from '../../common/clock';
import { ZodValidationPipe } from '../../common/http/zod-validation.pipe';
import { AppConfig } from '../../config/app-config';
import type { ReceiptWebhook, WebhookRefused } from '../provider-definition';
import type { ParsedReceipt } from '../provider.interface';
import { mapVonageDlrStatus } from './vonage.codes';
import { verifyVonageSignature } from './vonage-signature';
import { vonageSettings } from './vonage.settings';

// Vonage adds fields without notice: only what we use is required, the rest is ignored.
const dlr = z.object({
  messageId: z.string().min(1),
  status: z.string().min(1),
  'err-code': z.union([z.string(), z.number()]).optional(),
});
const pipe = new ZodValidationPipe(dlr);

/**
 * Vonage's delivery receipts, POST /webhooks/vonage/dlr: one DLR per part of a long message; the first
 * part's decides the alert (docs/providers.md).
 *
 * Signed DLRs: `sig` over every other parameter (query and body), keyed with the account's signature
 * secret, compared in constant time. A missing or wrong signature is a 403 and is counted. The signed
 * `timestamp` (unix seconds, Vonage's time of sending) must lie within RECEIPT_MAX_AGE_SECONDS before our
 * clock and RECEIPT_MAX_FUTURE_SKEW_SECONDS after it: a captured DLR is refused once it is stale, even with
 * its valid signature. Inside the window a replay is stopped by the receipts' dedupe instead.
 */
@Injectable()
export class VonageDlrWebhook implements ReceiptWebhook {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  authenticate(req: Request): WebhookRefused | null {
    return vonageSignedRefusal(vonageDlrParams(req), this.config, this.clock);
  }

  parse(req: Request): ParsedReceipt[] {
    const body = pipe.transform(vonageDlrParams(req));
    const errCode = body['err-code'] === undefined ? undefined : String(body['err-code']);
    return [
      {
        providerMessageId: body.messageId,
        status: mapVonageDlrStatus(body.status),
        providerStatus: body.status,
        errorCode: errCode && errCode !== '0' ? errCode : null,
      },
    ];
  }
}

/**
 * Any signed Vonage callback (DLRs, inbound messages): `sig` checked in constant time, then the signed
 * `timestamp` within the receipts' window. Null when authentic, else the refusal.
 */
export function vonageSignedRefusal(
  params: Record<string, unknown>,
  config: AppConfig,
  clock: Clock,
): WebhookRefused | null {
  const settings = config.vendor(vonageSettings);
  if (!verifyVonageSignature(params, settings.VONAGE_SIGNATURE_SECRET, settings.VONAGE_SIGNATURE_METHOD)) {
    return { reason: 'BAD_SIGNATURE', message: 'invalid Vonage signature' };
  }
  const problem = timestampProblem(
    params.timestamp,
    clock.now().getTime(),
    config.get('RECEIPT_MAX_AGE_SECONDS'),
    config.get('RECEIPT_MAX_FUTURE_SKEW_SECONDS'),
  );
  return problem ? { reason: 'STALE_TIMESTAMP', message: problem } : null;
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
