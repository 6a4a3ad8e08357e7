import { Module } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { AuthModule } from '../auth/auth.module';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { AuditRepository } from '../audit/audit.repository';
import { ContactsModule } from '../contacts/contacts.module';
import { CorrectionLinksModule } from '../corrections/corrections.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { QueueModule } from '../queue/queue.module';
import { SmsJobs } from '../queue/sms-jobs';
import { ConsoleController } from './console.controller';
import { NotificationsController } from './notifications.controller';
import { SessionController } from './session.controller';
import { ResendRateLimiter } from './resend-rate-limiter';
import { ResendRepository } from './resend.repository';
import { ResendService } from './resend.service';
import { SearchRepository } from './search.repository';
import { SupportService } from './support.service';

/** The support API (lookups, supervisor resend), its OpenAPI document and the support console (api role). */
@Module({
  imports: [NotificationsModule, QueueModule, ContactsModule, AuthModule, CorrectionLinksModule],
  controllers: [NotificationsController, SessionController, ConsoleController],
  providers: [
    SupportService,
    SearchRepository,
    ResendService,
    ResendRepository,
    ResendRateLimiter,
    SmsJobs,
    ApiKeyGuard,
    AuditInterceptor,
    AuditRepository,
  ],
})
export class SupportModule {}
