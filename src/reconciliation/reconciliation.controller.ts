import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Post,
  Query,
  Req,
  UnsupportedMediaTypeException,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { RequireRole } from '../auth/principal';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { parseWindow, ReconciliationInputError, transactionIdsFromCsv } from './reconciliation.input';
import { ReconciliationReport } from './reconciliation.report';
import { ReconciliationService } from './reconciliation.service';

const query = z
  .object({
    from: z.string().optional(),
    to: z.string().optional(),
    // Overrides RECONCILIATION_LIST_LIMIT for this report; 100,000 returns every id of a 100k list.
    limit: z.coerce.number().int().min(0).max(100000).optional(),
  })
  .strict();
// The JSON form is for short lists (the JSON body limit is 100 kB, a few thousand ids); long lists go as CSV.
const jsonBody = z
  .object({ from: z.string(), to: z.string(), transactionIds: z.array(z.string().max(200)) })
  .strict();

/**
 * POST /v1/reconciliations: the bank's list of authorised transactions for a window in, the report out.
 * Supervisor only: it reads every alert of a window at once, and a large list is a heavy query.
 */
@Controller('v1/reconciliations')
@UseGuards(ApiKeyGuard)
@UseInterceptors(AuditInterceptor)
@RequireRole('supervisor')
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Post()
  @HttpCode(200)
  async create(
    @Req() req: Request,
    @Query(new ZodValidationPipe(query)) q: z.infer<typeof query>,
    @Body() body: unknown,
  ): Promise<ReconciliationReport> {
    try {
      if (req.is('text/csv')) {
        // The body is not parsed by Nest for text/csv: the request is read here as a stream.
        return await this.reconciliation.reconcile(transactionIdsFromCsv(req), parseWindow(q), q.limit);
      }
      if (req.is('application/json')) {
        const parsed = jsonBody.safeParse(body);
        if (!parsed.success)
          throw new ReconciliationInputError(
            parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          );
        return await this.reconciliation.reconcile(
          parsed.data.transactionIds,
          parseWindow(parsed.data),
          q.limit,
        );
      }
    } catch (err) {
      if (err instanceof ReconciliationInputError) throw new BadRequestException(err.message);
      throw err;
    }
    throw new UnsupportedMediaTypeException(
      'send application/json {from, to, transactionIds} or text/csv with ?from=&to=',
    );
  }
}
