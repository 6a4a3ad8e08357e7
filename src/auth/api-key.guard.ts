import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { AuditRepository } from '../audit/audit.repository';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Principal, REQUIRED_ROLE, Role } from '../common/principal';
import { RequestThrottle, sourceOf } from './request-throttle';

const RANK: Record<Role, number> = { support: 1, supervisor: 2 };
const digest = (s: string) => createHash('sha256').update(s).digest();
const fingerprint = (d: Buffer) => d.toString('hex').slice(0, 8);

/** Bearer API keys mapped to roles (API_KEYS). The principal is named by a key fingerprint, never the key. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: Array<{ digest: Buffer; role: Role; id: string }>;

  constructor(
    config: AppConfig,
    private readonly reflector: Reflector,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
    private readonly throttle: RequestThrottle,
  ) {
    this.keys = [...config.get('API_KEYS').entries()].map(([key, role]) => ({
      digest: digest(key),
      role,
      id: `key-${fingerprint(digest(key))}`,
    }));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { principal?: Principal }>();
    const source = sourceOf(req);
    // A source that spent its refusals is answered 429 before its key is even looked at: guessing stops
    // there (a right guess would be refused too), and only the first 429 of the window is audited.
    const wait = await this.throttle.blocked('api', source);
    if (wait !== null) {
      const spent = await this.throttle.refused('api', source);
      if (spent.firstOver) await this.refusal(req, 'anonymous', 'none', 'error 429');
      this.throttle.reject('api', http.getResponse<Response>(), wait, 'REFUSED_REQUESTS_PER_MINUTE');
    }
    const header = req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const presented = token ? digest(token) : null;
    const match = presented ? this.keys.find((k) => timingSafeEqual(k.digest, presented)) : undefined;
    const required =
      this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'support';
    if (!match || RANK[match.role] < RANK[required]) {
      await this.throttle.refused('api', source);
      // Refused access attempts are audited too (PCI DSS 10.2.1.4). An unknown key is named by a short
      // fingerprint (which stale key a client still uses), never by the key.
      const who = match?.id ?? (presented ? `unknown-${fingerprint(presented)}` : 'anonymous');
      await this.refusal(req, who, match?.role ?? 'none', match ? 'error 403' : 'error 401');
      if (!token) throw new UnauthorizedException('missing bearer API key');
      if (!match) throw new UnauthorizedException('unknown API key');
      throw new ForbiddenException(`requires the ${required} role`);
    }
    const spent = await this.throttle.request(match.id);
    if (spent.over) {
      if (spent.firstOver) await this.refusal(req, match.id, match.role, 'error 429');
      this.throttle.reject(
        'api',
        http.getResponse<Response>(),
        spent.retryAfterSeconds,
        'API_REQUESTS_PER_PRINCIPAL_PER_MINUTE',
      );
    }
    req.principal = { id: match.id, role: match.role };
    return true;
  }

  private refusal(req: Request, principal: string, role: string, outcome: string): Promise<void> {
    return this.audit.record({
      at: this.clock.now(),
      principal,
      role,
      action: `${req.method} ${req.path}`,
      target: null,
      outcome,
      origin: req.ip ?? null,
    });
  }
}
