import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SmppProvider } from '../providers/smpp/smpp.provider';
import { MultipartReceipts } from '../receipts/multipart-receipts';

/**
 * SMPP receipts arrive on the dispatcher's own session, not at a webhook: each is recorded before its
 * deliver_sm_resp is sent, so a receipt we failed to store is delivered again by the SMSC.
 */
@Injectable()
export class SmppReceiptsListener implements OnModuleInit {
  constructor(
    private readonly smpp: SmppProvider,
    private readonly receipts: MultipartReceipts,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.smpp.onReceipt(async (r) => {
      await this.receipts.record({
        provider: 'smpp',
        providerMessageId: r.messageId,
        status: r.status,
        providerStatus: r.stat,
        errorCode: r.errorCode ?? null,
        receivedAt: this.clock.now(),
      });
    });
  }
}
