import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { Clock } from '../common/clock';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { MultipartReceipts } from './multipart-receipts';
import { mapVonageDlrStatus } from '../providers/vonage/vonage.codes';
import { VonageSignatureGuard, vonageDlrParams } from './vonage-signature.guard';

// Vonage adds fields without notice: only what we use is required, the rest is ignored.
const dlr = z.object({
  messageId: z.string().min(1),
  status: z.string().min(1),
  'err-code': z.union([z.string(), z.number()]).optional(),
});
const pipe = new ZodValidationPipe(dlr);

@Controller('webhooks/vonage')
export class VonageWebhookController {
  constructor(
    private readonly receipts: MultipartReceipts,
    private readonly clock: Clock,
  ) {}

  /** One DLR per part of a long message; the first part's decides the alert (docs/providers.md). */
  @Post('dlr')
  @HttpCode(204)
  @UseGuards(VonageSignatureGuard)
  async dlr(@Req() req: Request): Promise<void> {
    const body = pipe.transform(vonageDlrParams(req));
    const errCode = body['err-code'] === undefined ? undefined : String(body['err-code']);
    await this.receipts.record({
      provider: 'vonage',
      providerMessageId: body.messageId,
      status: mapVonageDlrStatus(body.status),
      providerStatus: body.status,
      errorCode: errCode && errCode !== '0' ? errCode : null,
      receivedAt: this.clock.now(),
    });
  }
}
