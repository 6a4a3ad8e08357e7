import { Global, Module } from '@nestjs/common';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { KafkaClient } from './kafka.client';
import { KafkaPublisher } from './kafka.publisher';

@Global()
@Module({
  providers: [KafkaClient, DeadLetterPublisher, KafkaPublisher],
  exports: [KafkaClient, DeadLetterPublisher, KafkaPublisher],
})
export class KafkaModule {}
