import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
// The sandbox's signing code is Vonage's algorithm, kept in one place; it moves to src/providers/vonage/
// once the sandbox is finished.
import { verifyVonageSignature } from '../sandbox/vonage-signature';

/**
 * Signed DLRs: `sig` over every other parameter (query and body), keyed with the account's signature
 * secret, compared in constant time. A missing or wrong signature is a 403 and is counted.
 */
@Injectable()
export class VonageSignatureGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const params = vonageDlrParams(req);
    const secret = this.config.get('VONAGE_SIGNATURE_SECRET');
    if (!verifyVonageSignature(params, secret, this.config.get('VONAGE_SIGNATURE_METHOD'))) {
      this.metrics.receipts.inc({ provider: 'vonage', status: 'BAD_SIGNATURE' });
      throw new ForbiddenException('invalid Vonage signature');
    }
    return true;
  }
}

/** Vonage sends DLRs as a GET query, a form POST or a JSON POST, depending on the account's settings. */
export function vonageDlrParams(req: Request): Record<string, unknown> {
  const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
  return { ...(req.query as Record<string, unknown>), ...body };
}
