import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AuditRepository } from '../audit/audit.repository';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Principal, REQUIRED_ROLE, Role } from './principal';

const RANK: Record<Role, number> = { support: 1, supervisor: 2 };
const digest = (s: string) => createHash('sha256').update(s).digest();

/** Bearer API keys mapped to roles (API_KEYS). The principal is named by a key fingerprint, never the key. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: Array<{ digest: Buffer; role: Role; id: string }>;

  constructor(
    config: AppConfig,
    private readonly reflector: Reflector,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
  ) {
    this.keys = [...config.get('API_KEYS').entries()].map(([key, role]) => ({
      digest: digest(key),
      role,
      id: `key-${digest(key).toString('hex').slice(0, 8)}`,
    }));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
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
      // Refused access attempts are audited too (PCI DSS 10.2.1.4).
      await this.audit.record({
        at: this.clock.now(),
        principal: match?.id ?? 'anonymous',
        role: match?.role ?? 'none',
        action: `${req.method} ${req.path}`,
        target: null,
        outcome: match ? 'error 403' : 'error 401',
        origin: req.ip ?? null,
      });
      if (!token) throw new UnauthorizedException('missing bearer API key');
      if (!match) throw new UnauthorizedException('unknown API key');
      throw new ForbiddenException(`requires the ${required} role`);
    }
    req.principal = { id: match.id, role: match.role };
    return true;
  }
}
