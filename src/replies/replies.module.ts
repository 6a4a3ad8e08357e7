import { Global, Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { KafkaModule } from '../kafka/kafka.module';
import { INBOUND_SMS_SINK } from '../providers/provider.interface';
import { ProvidersModule } from '../providers/providers.module';
import { RepliesRepository } from './replies.repository';
import { RepliesService } from './replies.service';
import { ReplyOutboxPublisher } from './reply-outbox.publisher';
import { SessionInboundListener } from './session-inbound.listener';

/**
 * Receiving replies (api: the vendors' inbound webhooks; dispatcher: SMPP). Global so receipts/' webhook
 * route finds the sink by its token without importing this folder; support reads the repository.
 */
@Global()
@Module({
  providers: [
    RepliesRepository,
    RepliesService,
    Clock,
    { provide: INBOUND_SMS_SINK, useExisting: RepliesService },
  ],
  exports: [RepliesRepository, RepliesService, INBOUND_SMS_SINK],
})
export class RepliesModule {}

/** The dispatcher's part: SMPP texts from the session, and the outbox publisher. */
@Module({
  imports: [RepliesModule, KafkaModule, ProvidersModule],
  providers: [SessionInboundListener, ReplyOutboxPublisher],
})
export class RepliesDispatcherModule {}
