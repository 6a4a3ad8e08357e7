import { DynamicModule, Type } from '@nestjs/common';
import { ContactsConsumerModule } from '../contacts/contacts.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { IngestModule } from '../ingest/ingest.module';
import { ReceiptsModule } from '../receipts/receipts.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';
import { SandboxModule } from '../sandbox/sandbox.module';
import { SupportModule } from '../support/support.module';
import { SweeperModule } from '../sweeper/sweeper.module';
import { Role } from './roles';

// Kept apart from AppModule so the role table reads at a glance.
const ingest: Array<Type | DynamicModule> = [IngestModule, ContactsConsumerModule];
const dispatcher: Array<Type | DynamicModule> = [DeliveryModule, SweeperModule];
const api: Array<Type | DynamicModule> = [ReceiptsModule, SupportModule, ReconciliationModule];
const sandbox: Array<Type | DynamicModule> = [SandboxModule];

export const ROLE_MODULES: Record<Role, Array<Type | DynamicModule>> = {
  ingest,
  dispatcher,
  api,
  sandbox,
  all: [...new Set([...ingest, ...dispatcher, ...api])],
};
