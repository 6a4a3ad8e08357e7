import { Controller, Get, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CurrentPrincipal, Principal } from '../common/principal';
import { AuditInterceptor } from '../audit/audit.interceptor';

/** Who the presented key is: the console checks a pasted key with it and shows supervisor actions by role. */
@Controller('v1/session')
@UseGuards(ApiKeyGuard)
@UseInterceptors(AuditInterceptor)
export class SessionController {
  @Get()
  whoami(@CurrentPrincipal() who: Principal): { principal: string; role: Principal['role'] } {
    return { principal: who.id, role: who.role };
  }
}
