import { Module } from '@nestjs/common';
import { RequestThrottle } from './request-throttle';

/**
 * The request budgets, one instance per process: every module that guards requests (support API,
 * reconciliation, receipt webhooks) imports this one, so a source's refusals are counted once.
 */
@Module({ providers: [RequestThrottle], exports: [RequestThrottle] })
export class AuthModule {}
