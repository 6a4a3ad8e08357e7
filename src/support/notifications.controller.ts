import {
  BadRequestException,
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
import { CurrentPrincipal, Principal, RequireRole } from '../common/principal';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { AppConfig } from '../config/app-config';
import { resendHttpError } from './resend.http';
import { ResendService } from './resend.service';
import { boundedSearchQuery, SearchQuery } from './search.query';
import { SearchCursorError, SupportService } from './support.service';

@Controller('v1/notifications')
@UseGuards(ApiKeyGuard)
@UseInterceptors(AuditInterceptor)
export class NotificationsController {
  private readonly searchPipe: ZodValidationPipe<SearchQuery>;

  constructor(
    private readonly support: SupportService,
    private readonly resends: ResendService,
    config: AppConfig,
  ) {
    this.searchPipe = new ZodValidationPipe(boundedSearchQuery(config.get('SUPPORT_SEARCH_MAX_WINDOW_DAYS')));
  }

  @Get()
  async search(@Query() raw: unknown, @CurrentPrincipal() who: Principal) {
    try {
      return await this.support.search(this.searchPipe.transform(raw), who.role);
    } catch (err) {
      if (err instanceof SearchCursorError)
        throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: [err.message] });
      throw err;
    }
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
      return this.support.view(await this.resends.resend(id, who), who.role);
    } catch (err) {
      throw resendHttpError(err, res);
    }
  }
}
