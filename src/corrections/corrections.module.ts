import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { KafkaModule } from '../kafka/kafka.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { QueueModule } from '../queue/queue.module';
import { CorrectionRelease } from './correction-release';
import { CorrectionLinksRepository } from './correction-links.repository';
import { CorrectionsRepository } from './corrections.repository';
import { ReversalsConsumer } from './reversals.consumer';
import { ReversalsService } from './reversals.service';

/** Deciding and releasing correction alerts: used by ingest, the dispatcher and the sweeper. */
@Module({
  imports: [QueueModule, NotificationsModule, ContactsModule],
  providers: [CorrectionsRepository, CorrectionRelease],
  exports: [CorrectionsRepository, CorrectionRelease],
})
export class CorrectionsCoreModule {}

/** Support's view of the links between alerts and corrections (api role). */
@Module({ providers: [CorrectionLinksRepository], exports: [CorrectionLinksRepository] })
export class CorrectionLinksModule {}

/** The reversals topic's consumer (ingest role). */
@Module({
  imports: [KafkaModule, CorrectionsCoreModule],
  providers: [ReversalsService, ReversalsConsumer],
})
export class ReversalsConsumerModule {}
