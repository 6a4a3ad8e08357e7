import { Global, Module, OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry } from '../health/readiness.registry';
import { Database } from './database.service';
import { WriteBatches } from './write-batches';

@Global()
@Module({ providers: [Database, WriteBatches], exports: [Database, WriteBatches] })
export class DatabaseModule implements OnModuleInit {
  constructor(
    private readonly db: Database,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('postgres', () => this.db.ping());
  }
}
