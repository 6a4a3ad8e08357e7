import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service';
import { WriteBatcher } from '../database/write-batcher';
import { WriteBatches } from '../database/write-batches';
import { ReceiptInput, ReceiptsRepository } from './receipts.repository';

/**
 * Intermediate receipts (queued, accepted, sent) change no state, so they need neither the message lock
 * nor a transaction of their own: concurrent webhook requests share one multi-row INSERT. Each request
 * still waits for its row to be durable before it answers, so nothing is acknowledged and then lost.
 * In the benchmark these were half of the api's database work.
 */
@Injectable()
export class IntermediateReceiptsWriter {
  private readonly batcher: WriteBatcher<ReceiptInput, boolean>;

  constructor(db: Database, receipts: ReceiptsRepository, batches: WriteBatches) {
    this.batcher = batches.create('intermediate', (items: readonly ReceiptInput[]) =>
      receipts.insertIntermediateMany(items, db.pool),
    );
  }

  /** False for a replay of a stored receipt: nothing was written. */
  write(receipt: ReceiptInput): Promise<boolean> {
    return this.batcher.submit(receipt);
  }
}
