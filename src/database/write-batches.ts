import { Inject, Injectable } from '@nestjs/common';
import { AppLogger, LOGGER } from '../common/logger.module';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
import { WriteBatcher } from './write-batcher';

/**
 * Makes the grouped writes of the send path and the receipts, all sized by the WRITE_BATCH_* settings and
 * observed the same way: a size histogram per kind, and a counted, logged fallback when a whole flush
 * fails (nothing is lost, but an operator should know why the send path slowed down).
 */
@Injectable()
export class WriteBatches {
  constructor(
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  create<I, O>(
    kind: string,
    flush: (items: readonly I[]) => Promise<ReadonlyArray<O | Error>>,
    retryAlone = true,
  ): WriteBatcher<I, O> {
    // At 0 from the start: a series first seen at 1 gives increase() nothing to compare with, so the first
    // fallbacks after a start would not count toward AlertlineGroupedWritesFailing (and the panel is empty).
    this.metrics.writeBatchFallbacks.inc({ batch: kind }, 0);
    return new WriteBatcher(flush, {
      maxBatch: this.config.get('WRITE_BATCH_MAX'),
      parallel: this.config.get('WRITE_BATCH_PARALLEL'),
      lingerMs: this.config.get('WRITE_BATCH_LINGER_MS'),
      retryAlone,
      observe: {
        flushed: (size) => this.metrics.writeBatchSize.observe({ batch: kind }, size),
        failed: (err) => this.failed(kind, err),
      },
    });
  }

  /** A whole flush failed and its items are redone one by one. */
  failed(kind: string, err: unknown): void {
    this.metrics.writeBatchFallbacks.inc({ batch: kind });
    this.logger.warn(
      { batch: kind, err: err instanceof Error ? err.message : String(err) },
      'grouped write failed as a whole; redoing its items one by one',
    );
  }
}
