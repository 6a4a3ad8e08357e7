import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export type Role = 'support' | 'supervisor';
export interface Principal {
  id: string;
  role: Role;
}

export const REQUIRED_ROLE = 'alertline:required-role';
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<{ principal: Principal }>().principal,
);
