import {
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { Response } from 'express';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CurrentPrincipal, Principal, RequireRole } from '../auth/principal';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { notificationView } from './notification.view';
import { resendHttpError } from './resend.http';
import { ResendService } from './resend.service';
import { SearchQuery, searchQuery } from './search.query';
import { SupportService } from './support.service';

@Controller('v1/notifications')
@UseGuards(ApiKeyGuard)
@UseInterceptors(AuditInterceptor)
export class NotificationsController {
  constructor(
    private readonly support: SupportService,
    private readonly resends: ResendService,
  ) {}

  @Get()
  search(@Query(new ZodValidationPipe(searchQuery)) query: SearchQuery, @CurrentPrincipal() who: Principal) {
    return this.support.search(query, who.role);
  }

  @Get(':id')
  async detail(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() who: Principal) {
    const found = await this.support.detail(id, who.role);
    if (!found) throw new NotFoundException(`no alert ${id}`);
    return found;
  }

  /** Sends an alert that ended undelivered again (docs/design.md, "Supervisor resend"). */
  @Post(':id/resend')
  @HttpCode(202)
  @RequireRole('supervisor')
  async resend(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() who: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      return notificationView(await this.resends.resend(id, who), who.role);
    } catch (err) {
      throw resendHttpError(err, res);
    }
  }
}
