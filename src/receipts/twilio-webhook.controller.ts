import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { Clock } from '../common/clock';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { mapTwilioStatus } from '../providers/twilio/twilio.codes';
import { ReceiptsService } from './receipts.service';
import { TwilioSignatureGuard } from './twilio-signature.guard';

// Twilio adds parameters without notice: only what we use is required, the rest is ignored.
const statusCallback = z.object({
  MessageSid: z.string().min(1),
  MessageStatus: z.string().min(1),
  ErrorCode: z.string().optional(),
});

@Controller('webhooks/twilio')
export class TwilioWebhookController {
  constructor(
    private readonly receipts: ReceiptsService,
    private readonly clock: Clock,
  ) {}

  @Post('status')
  @HttpCode(204)
  @UseGuards(TwilioSignatureGuard)
  async status(
    @Body(new ZodValidationPipe(statusCallback)) body: z.infer<typeof statusCallback>,
  ): Promise<void> {
    await this.receipts.record({
      provider: 'twilio',
      providerMessageId: body.MessageSid,
      status: mapTwilioStatus(body.MessageStatus),
      providerStatus: body.MessageStatus,
      errorCode: body.ErrorCode || null,
      receivedAt: this.clock.now(),
    });
  }
}
