import { Global, Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AttemptsRepository } from './attempts.repository';
import { EventsRepository } from './events.repository';
import { NotificationsRepository } from './notifications.repository';

@Global()
@Module({
  providers: [NotificationsRepository, AttemptsRepository, EventsRepository, Clock],
  exports: [NotificationsRepository, AttemptsRepository, EventsRepository, Clock],
})
export class NotificationsModule {}
