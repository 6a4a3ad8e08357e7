import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { CorrectionsCoreModule } from '../corrections/corrections.module';
import { KafkaModule } from '../kafka/kafka.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { QueueModule } from '../queue/queue.module';
import { IngestService } from './ingest.service';
import { TransactionsConsumer } from './transactions.consumer';

@Module({
  imports: [KafkaModule, QueueModule, NotificationsModule, ContactsModule, CorrectionsCoreModule],
  providers: [IngestService, TransactionsConsumer],
})
export class IngestModule {}
