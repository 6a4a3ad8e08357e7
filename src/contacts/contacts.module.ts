import { Module } from '@nestjs/common';
import { KafkaModule } from '../kafka/kafka.module';
import { ContactsConsumer } from './contacts.consumer';
import { ContactsRepository } from './contacts.repository';

/** The repository is used by every role; the consumer runs only where ContactsConsumerModule is imported. */
@Module({ providers: [ContactsRepository], exports: [ContactsRepository] })
export class ContactsModule {}

@Module({ imports: [KafkaModule, ContactsModule], providers: [ContactsConsumer] })
export class ContactsConsumerModule {}
