import { Module } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { AuthModule } from '../auth/auth.module';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { AuditRepository } from '../audit/audit.repository';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationRepository } from './reconciliation.repository';
import { ReconciliationService } from './reconciliation.service';

/** Reconciliation against the bank's list of authorised transactions (api role). */
@Module({
  imports: [NotificationsModule, AuthModule],
  controllers: [ReconciliationController],
  providers: [
    ReconciliationRepository,
    ReconciliationService,
    ApiKeyGuard,
    AuditInterceptor,
    AuditRepository,
  ],
})
export class ReconciliationModule {}
