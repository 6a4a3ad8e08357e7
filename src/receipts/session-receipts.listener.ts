import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { SMS_PROVIDERS, SmsProvider } from '../providers/provider.interface';
import { providerDefinition } from '../providers/provider.registry';
import { ReceiptIntake } from './receipt-intake';

/**
 * Receipts that arrive on a provider's own session in the dispatcher, not at a webhook (SmsProvider.onReceipt):
 * each is recorded before the provider acknowledges it, so a receipt we failed to store comes again.
 */
@Injectable()
export class SessionReceiptsListener implements OnModuleInit {
  constructor(
    @Inject(SMS_PROVIDERS) private readonly providers: SmsProvider[],
    private readonly intake: ReceiptIntake,
  ) {}

  onModuleInit(): void {
    for (const provider of this.providers) {
      const definition = providerDefinition(provider.name);
      if (!provider.onReceipt || !definition) continue;
      provider.onReceipt((receipt) => this.intake.accept(definition, [receipt]));
    }
  }
}
