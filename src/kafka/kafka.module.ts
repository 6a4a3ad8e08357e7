import { Global, Module } from '@nestjs/common';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { KafkaClient } from './kafka.client';

@Global()
@Module({ providers: [KafkaClient, DeadLetterPublisher], exports: [KafkaClient, DeadLetterPublisher] })
export class KafkaModule {}
