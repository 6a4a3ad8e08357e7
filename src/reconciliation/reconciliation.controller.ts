import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Post,
  PayloadTooLargeException,
  Query,
  Req,
  RequestTimeoutException,
  Res,
  UnsupportedMediaTypeException,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { RequireRole } from '../common/principal';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { AppConfig } from '../config/app-config';
import {
  parseWindow,
  ReconciliationInputError,
  ReconciliationTimeoutError,
  ReconciliationTooLargeError,
  transactionIdsFromCsv,
} from './reconciliation.input';
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
// The JSON form is for short lists (RECONCILIATION_JSON_MAX_BYTES, 100 kB: a few thousand ids); long lists go
// as CSV.
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
  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  async create(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Query(new ZodValidationPipe(query)) q: z.infer<typeof query>,
    @Body() body: unknown,
  ): Promise<ReconciliationReport> {
    try {
      if (req.is('text/csv')) {
        // The body is not parsed by Nest for text/csv: the request is read here as a stream.
        this.refuseUnreadable(req);
        return await this.reconciliation.reconcile(
          (limits) => transactionIdsFromCsv(req, limits),
          parseWindow(q),
          q.limit,
        );
      }
      if (req.is('application/json')) {
        const parsed = jsonBody.safeParse(body);
        if (!parsed.success)
          throw new ReconciliationInputError(
            parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          );
        return await this.reconciliation.reconcile(
          () => parsed.data.transactionIds,
          parseWindow(parsed.data),
          q.limit,
        );
      }
    } catch (err) {
      throw this.httpError(err, req, res);
    }
    throw new UnsupportedMediaTypeException(
      'send application/json {from, to, transactionIds} or text/csv with ?from=&to=',
    );
  }

  /** Refused before a byte is read: a declared length over the limit, or a compressed upload. */
  private refuseUnreadable(req: Request): void {
    const max = this.config.get('RECONCILIATION_CSV_MAX_BYTES');
    if (Number(req.headers['content-length'] ?? 0) > max) {
      throw new ReconciliationTooLargeError(
        `the CSV is over ${max} bytes (RECONCILIATION_CSV_MAX_BYTES); split the list`,
      );
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      throw new UnsupportedMediaTypeException(`send the CSV uncompressed (Content-Encoding ${encoding})`);
    }
  }

  private httpError(err: unknown, req: Request, res: Response): unknown {
    // The rest of a refused upload is not read: close the connection rather than let Node drain it.
    if (!req.complete) res.setHeader('Connection', 'close');
    if (err instanceof ReconciliationTooLargeError) return new PayloadTooLargeException(err.message);
    if (err instanceof ReconciliationTimeoutError) return new RequestTimeoutException(err.message);
    if (err instanceof ReconciliationInputError) return new BadRequestException(err.message);
    return err;
  }
}
