import { BadRequestException, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import type { ReceiptWebhook, WebhookRefused } from '../provider-definition';
import type { ParsedReceipt } from '../provider.interface';
import {
  aliyunReceiptSecretMatches,
  AliyunReportError,
  parseAliyunReport,
  ParsedReport,
} from './aliyun.receipts';
import { aliyunSettings } from './aliyun.settings';

/**
 * Aliyun's SmsReport HTTP batch push, POST /webhooks/aliyun/report?token=<ALIYUN_RECEIPT_SECRET>: a JSON
 * array of delivery reports. Aliyun signs nothing and sends no header we can configure, so the URL set in
 * its console carries a secret: `token` is compared in constant time (a missing or wrong one is a 403,
 * counted). Each report's report_time must lie within RECEIPT_MAX_AGE_SECONDS before our clock and
 * RECEIPT_MAX_FUTURE_SKEW_SECONDS after it: a batch with none inside is refused as stale, stale reports in
 * a fresh batch are skipped; inside the window a replay is stopped by the receipts' dedupe.
 */
@Injectable()
export class AliyunReportWebhook implements ReceiptWebhook {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  authenticate(req: Request): WebhookRefused | null {
    const secret = this.config.vendor(aliyunSettings).ALIYUN_RECEIPT_SECRET;
    if (!aliyunReceiptSecretMatches(req.query.token, secret))
      return { reason: 'BAD_SIGNATURE', message: 'missing or wrong Aliyun receipt token' };
    let report: ParsedReport;
    try {
      report = this.read(req);
    } catch {
      return null; // authentic but malformed: parse answers 400 with what is wrong
    }
    if (report.receipts.length === 0 && report.stale > 0)
      return {
        reason: 'STALE_TIMESTAMP',
        message: `every report_time is outside the receipt window (RECEIPT_MAX_AGE_SECONDS ${this.config.get('RECEIPT_MAX_AGE_SECONDS')})`,
      };
    return null;
  }

  parse(req: Request): ParsedReceipt[] {
    try {
      return this.read(req).receipts.map((r) => ({
        providerMessageId: r.providerMessageId,
        status: r.status,
        providerStatus: r.providerStatus,
        errorCode: r.errorCode,
      }));
    } catch (err) {
      if (err instanceof AliyunReportError) throw new BadRequestException(err.message);
      throw err;
    }
  }

  private read(req: Request): ParsedReport {
    return parseAliyunReport(req.body, {
      now: this.clock.now(),
      maxAgeSeconds: this.config.get('RECEIPT_MAX_AGE_SECONDS'),
      maxFutureSkewSeconds: this.config.get('RECEIPT_MAX_FUTURE_SKEW_SECONDS'),
    });
  }
}
