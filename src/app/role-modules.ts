import { DynamicModule, Type } from '@nestjs/common';
import { ContactsConsumerModule } from '../contacts/contacts.module';
import { ReversalsConsumerModule } from '../corrections/corrections.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { IngestModule } from '../ingest/ingest.module';
import { PartitionsModule } from '../partitions/partitions.module';
import { ReceiptsModule } from '../receipts/receipts.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';
import { RepliesDispatcherModule, RepliesModule } from '../replies/replies.module';
import { RetentionModule } from '../retention/retention.module';
import { SupportModule } from '../support/support.module';
import { SweeperModule } from '../sweeper/sweeper.module';
import { Role } from './roles';

// Kept apart from AppModule so the role table reads at a glance. The sandbox is not a role of the
// product: it has its own entry point (src/sandbox/sandbox.main.ts) and is not in the production build.
const ingest: Array<Type | DynamicModule> = [IngestModule, ContactsConsumerModule, ReversalsConsumerModule];
const dispatcher: Array<Type | DynamicModule> = [
  DeliveryModule,
  SweeperModule,
  PartitionsModule,
  RetentionModule,
  RepliesDispatcherModule,
];
const api: Array<Type | DynamicModule> = [ReceiptsModule, SupportModule, ReconciliationModule, RepliesModule];

export const ROLE_MODULES: Record<Role, Array<Type | DynamicModule>> = {
  ingest,
  dispatcher,
  api,
  all: [...new Set([...ingest, ...dispatcher, ...api])],
};
