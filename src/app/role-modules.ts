import { DynamicModule, Type } from '@nestjs/common';
import { Role } from './roles';

// Filled in as features land; kept apart from AppModule so the role table reads at a glance.
const ingest: Array<Type | DynamicModule> = [];
const dispatcher: Array<Type | DynamicModule> = [];
const api: Array<Type | DynamicModule> = [];
const sandbox: Array<Type | DynamicModule> = [];

export const ROLE_MODULES: Record<Role, Array<Type | DynamicModule>> = {
  ingest,
  dispatcher,
  api,
  sandbox,
  all: [...new Set([...ingest, ...dispatcher, ...api])],
};
