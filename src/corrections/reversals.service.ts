import { Injectable } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { Clock } from '../common/clock';
import { Database } from '../database/database.service';
import { BatchContext } from '../kafka/batch-consumer';
import { DeadLetter, DeadLetterPublisher } from '../kafka/dead-letter.publisher';
import { writeIsolatingPoison } from '../kafka/poison';
import { Metrics } from '../metrics/metrics.service';
import { SmsQueue } from '../queue/sms-queue.service';
import { CorrectionRelease } from './correction-release';
import { CorrectionsRepository } from './corrections.repository';
import { NewReversal } from './corrections.types';
import { parseReversalEvent } from './reversal-event.schema';
import { newTimeId } from '../notifications/alert-id';

/**
 * Turns one chunk of reversal events into durable reversals and correction alerts, with the transactions'
 * rules: validate (bad -> DLQ with its reason), dedupe on reversalId, write (a value the database refuses
 * is bisected out and dead-lettered), then decide each original's waiting reversals. The caller commits
 * the Kafka offset only after this resolves.
 */
@Injectable()
export class ReversalsService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly repository: CorrectionsRepository,
    private readonly release: CorrectionRelease,
    private readonly queue: SmsQueue,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: Metrics,
  ) {}

  async handleChunk(messages: KafkaMessage[], ctx: BatchContext): Promise<void> {
    const rejected = new Map<string, DeadLetter>();
    const valid = new Map<string, NewReversal>();
    const now = this.clock.now();
    let duplicates = 0;
    for (const message of messages) {
      const parsed = parseReversalEvent(message.value);
      if (!parsed.ok) {
        const withhold = 'withhold' in parsed ? parsed.withhold : undefined;
        rejected.set(message.offset, { message, ...ctx, code: parsed.code, detail: parsed.detail, withhold });
      } else if (valid.has(parsed.event.reversalId)) duplicates++;
      else {
        valid.set(parsed.event.reversalId, {
          event: parsed.event,
          // A UUIDv7 like every alert's (alert-id.ts), minted at receivedAt: its lookups name its month.
          notificationId: newTimeId(now),
          receivedAt: now,
          partition: ctx.partition,
          offset: message.offset,
        });
      }
    }
    const fresh = new Set<string>();
    const rows = [...valid.values()];
    const poisoned = await writeIsolatingPoison(rows, async (part) => {
      const created = await this.db.transaction((tx) => this.repository.insertWaiting(part, tx));
      for (const id of created) fresh.add(id);
    });
    for (const { item, poison } of poisoned) {
      valid.delete(item.event.reversalId);
      const message = messages.find((m) => m.offset === item.offset);
      if (message) rejected.set(item.offset, { message, ...ctx, code: poison.code, detail: poison.detail });
    }
    await this.deadLetters.publish([...rejected.values()]);
    // New reversals are decided now; a redelivered one whose correction is still QUEUED may have lost its
    // job (a crash between the decision and the enqueue), and one still waiting is simply looked at again.
    const known = [...valid.values()];
    await this.release.release(known.map((r) => r.event.transactionId));
    await this.queue.enqueue(
      await this.repository.queuedCorrections(
        known.filter((r) => !fresh.has(r.event.reversalId)).map((r) => r.event.reversalId),
      ),
    );
    await this.release.refreshWaitingGauge();
    this.metrics.eventsConsumed.inc({ topic: ctx.topic, outcome: 'accepted' }, fresh.size);
    const dup = duplicates + known.length - fresh.size;
    if (dup) this.metrics.eventsConsumed.inc({ topic: ctx.topic, outcome: 'duplicate' }, dup);
    if (rejected.size)
      this.metrics.eventsConsumed.inc({ topic: ctx.topic, outcome: 'dead_lettered' }, rejected.size);
  }
}
