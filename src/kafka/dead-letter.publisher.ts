import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Message } from 'kafkajs';
import { Metrics } from '../metrics/metrics.service';
import { DeadLetter, deadLetterRecord, DlqErrorCode } from './dead-letter.record';
import { KafkaClient } from './kafka.client';
import { LazyProducer } from './lazy-producer';

export type { DeadLetter } from './dead-letter.record';

// The broker limits a record batch (all messages for one partition in one request) to 1 MiB by default:
// a chunk of 500 rejected 3 KiB events sent at once was refused as a whole (MESSAGE_TOO_LARGE), for ever.
const MAX_SEND_BYTES = 512 * 1024;

// The reasons dead letters carry (the contacts consumer's are a subset), exported at 0 from the start:
// a counter series that first appears at 1 gives increase() nothing to compare, so the first dead letter
// after a start (the one a card-number PCI page exists for) would never fire AlertlineCardNumberInEvents
// or AlertlineDeadLetters, and the dashboard panel would show no data instead of 0.
const DLQ_REASONS = {
  INVALID_JSON: true,
  MISSING_FIELD: true,
  INVALID_FIELD: true,
  CARD_NUMBER_DETECTED: true,
  NOT_AN_OBJECT: true,
  TOO_LARGE: true,
  TOO_DEEP: true,
  NUL_CHARACTER: true,
  LONE_SURROGATE: true,
  CONTROL_CHARACTER: true,
  RENDER_FAILED: true,
  DB_DATA_EXCEPTION: true,
  DB_INTEGRITY_VIOLATION: true,
} satisfies Record<DlqErrorCode | 'RENDER_FAILED' | 'DB_DATA_EXCEPTION' | 'DB_INTEGRITY_VIOLATION', true>;

/** Sends rejected messages to `<topic>.dlq` with the reason headers; any card number is masked first. */
@Injectable()
export class DeadLetterPublisher implements OnModuleDestroy {
  private readonly producer: LazyProducer;

  constructor(
    kafka: KafkaClient,
    private readonly metrics: Metrics,
  ) {
    // A broker down at the first connect must not fail every later dead letter: LazyProducer forgets a
    // failed connect, so the next chunk (kafkajs redelivers it) connects anew.
    this.producer = new LazyProducer(kafka, { allowAutoTopicCreation: false, idempotent: false });
    this.metrics.startAtZero(this.metrics.dlqMessages, { reason: Object.keys(DLQ_REASONS) });
  }

  async publish(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const producer = await this.producer.connected();
    for (const batch of sendBatches(letters)) {
      // acks -1: the DLQ copy must be durable before the original offset is committed.
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...batch.entries()].map(([topic, messages]) => ({ topic: `${topic}.dlq`, messages })),
      });
    }
    for (const l of letters) this.metrics.dlqMessages.inc({ reason: l.code });
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer.disconnect();
  }
}

function* sendBatches(letters: DeadLetter[]): Generator<Map<string, Message[]>> {
  let batch = new Map<string, Message[]>();
  let bytes = 0;
  for (const l of letters) {
    const record = deadLetterRecord(l);
    const size = Buffer.byteLength(String(record.value ?? '')) + 1024;
    if (bytes > 0 && bytes + size > MAX_SEND_BYTES) {
      yield batch;
      batch = new Map();
      bytes = 0;
    }
    batch.set(l.topic, [...(batch.get(l.topic) ?? []), record]);
    bytes += size;
  }
  if (bytes > 0) yield batch;
}
