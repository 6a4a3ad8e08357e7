import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { z } from 'zod';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { SupportService } from './support.service';

const window = { from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) };
const searchQuery = z.union([
  z.object({ transactionId: z.string().min(1).max(64) }).strict(),
  z.object({ cardholderId: z.string().min(1).max(64), ...window, limit: z.coerce.number().int().min(1).max(500).optional() }).strict(),
  z.object({ cardLast4: z.string().regex(/^\d{4}$/), ...window, limit: z.coerce.number().int().min(1).max(500).optional() }).strict(),
], { error: 'use ?transactionId=, or ?cardholderId=&from=&to=, or ?cardLast4=&from=&to= (from/to ISO 8601 with offset)' });
export type SearchQuery = z.infer<typeof searchQuery>;

@Controller('v1/notifications')
@UseGuards(ApiKeyGuard)
@UseInterceptors(AuditInterceptor)
export class NotificationsController {
  constructor(private readonly support: SupportService) {}

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
}
