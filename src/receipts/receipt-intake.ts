import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { ProviderDefinition } from '../providers/provider-definition';
import type { ParsedReceipt } from '../providers/provider.interface';
import { MultipartReceipts } from './multipart-receipts';
import { ReceiptsService } from './receipts.service';

/**
 * Where every vendor's parsed receipts are applied, from a webhook or a provider's own session:
 * stamped with the provider and the time they arrived, then correlated part by part for providers that
 * report each part of a long message, or straight to ReceiptsService for the others.
 */
@Injectable()
export class ReceiptIntake {
  constructor(
    private readonly receipts: ReceiptsService,
    private readonly multipart: MultipartReceipts,
    private readonly clock: Clock,
  ) {}

  /** Resolves once every receipt is durable; concurrent ones share the receipts' grouped writes. */
  async accept(
    provider: Pick<ProviderDefinition, 'name' | 'receiptsPerPart'>,
    parsed: readonly ParsedReceipt[],
  ): Promise<void> {
    const receivedAt = this.clock.now();
    await Promise.all(
      parsed.map((r) => {
        const receipt = { ...r, provider: provider.name, receivedAt };
        return provider.receiptsPerPart ? this.multipart.record(receipt) : this.receipts.record(receipt);
      }),
    );
  }
}
