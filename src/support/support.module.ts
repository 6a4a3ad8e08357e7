import { Module } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { AuditRepository } from '../audit/audit.repository';
import { NotificationsModule } from '../notifications/notifications.module';
import { NotificationsController } from './notifications.controller';
import { SupportService } from './support.service';

@Module({
  imports: [NotificationsModule],
  controllers: [NotificationsController],
  providers: [SupportService, ApiKeyGuard, AuditInterceptor, AuditRepository],
})
export class SupportModule {}
