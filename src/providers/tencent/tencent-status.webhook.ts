import { BadRequestException, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import type { ReceiptWebhook, WebhookRefused } from '../provider-definition';
import type { ParsedReceipt } from '../provider.interface';
import {
  parseTencentCallback,
  TencentCallbackError,
  tencentReceipt,
  tencentTimeProblem,
  tencentTokenMatches,
} from './tencent.receipt';
import { tencentSettings } from './tencent.settings';

/**
 * Tencent Cloud's status callback, POST /webhooks/tencent/status?token=<TENCENT_CALLBACK_TOKEN>: a JSON
 * array of final reports. Tencent signs nothing, so the token in the URL is the authentication (compared in
 * constant time); a report whose user_receive_time is outside the window refuses the whole callback
 * (docs/providers.md, "Tencent Cloud").
 */
@Injectable()
export class TencentStatusWebhook implements ReceiptWebhook {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  authenticate(req: Request): WebhookRefused | null {
    const settings = this.config.vendor(tencentSettings);
    if (!tencentTokenMatches(req.query.token, settings.TENCENT_CALLBACK_TOKEN)) {
      return { reason: 'BAD_SIGNATURE', message: 'missing or wrong Tencent callback token' };
    }
    let reports;
    try {
      reports = parseTencentCallback(req.body);
    } catch {
      return null; // authentic but malformed: parse answers 400 naming the field
    }
    const now = this.clock.now().getTime();
    for (const [i, r] of reports.map(tencentReceipt).entries()) {
      const problem = tencentTimeProblem(
        r.userReceiveTime,
        now,
        settings.TENCENT_RECEIPT_MAX_AGE_SECONDS,
        this.config.get('RECEIPT_MAX_FUTURE_SKEW_SECONDS'),
      );
      if (problem) return { reason: 'STALE_TIMESTAMP', message: `Tencent report ${i}: ${problem}` };
    }
    return null;
  }

  parse(req: Request): ParsedReceipt[] {
    try {
      return parseTencentCallback(req.body).map((r) => {
        const { providerMessageId, status, providerStatus, errorCode } = tencentReceipt(r);
        return { providerMessageId, status, providerStatus, errorCode };
      });
    } catch (err) {
      if (err instanceof TencentCallbackError) throw new BadRequestException(err.message);
      throw err;
    }
  }
}
