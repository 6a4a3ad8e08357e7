import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { DeliveryHealthRepository } from './delivery-health.repository';
import { DeliveryHealthRunner } from './delivery-health.runner';
import { RouteHealth } from './route-health';
import { RoutePlanner } from './route-planner';

/** Routing by delivery health, in the dispatcher role (docs/design.md, "Routing by delivery health"). */
@Module({
  imports: [ProvidersModule],
  providers: [DeliveryHealthRepository, RouteHealth, DeliveryHealthRunner, RoutePlanner],
  exports: [RoutePlanner],
})
export class RoutingModule {}
