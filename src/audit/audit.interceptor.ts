import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { Clock } from '../common/clock';
import type { Principal } from '../common/principal';
import { AuditRepository } from './audit.repository';

/**
 * Writes the audit row before the response leaves, for successes and failures alike: a lookup whose
 * audit row cannot be written is not answered.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const action = `${req.method} ${req.route?.path ?? req.path}`;
    // Bounded by AuditRepository (the query string is the client's to make long).
    const target = JSON.stringify({ ...req.params, ...(req.query as object) });
    const write = (outcome: string) =>
      this.audit.record({
        at: this.clock.now(),
        principal: req.principal?.id ?? 'anonymous',
        role: req.principal?.role ?? 'none',
        action,
        target,
        outcome,
        origin: req.ip ?? null,
      });
    return next.handle().pipe(
      mergeMap((body: unknown) => from(write('ok').then(() => body))),
      catchError((err: unknown) => {
        const status = err instanceof HttpException ? err.getStatus() : 500;
        return from(write(`error ${status}`)).pipe(mergeMap(() => throwError(() => err)));
      }),
    );
  }
}
