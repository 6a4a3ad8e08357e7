import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { AppConfigValues, parseConfig } from './config.schema';
import type { VendorSettings, VendorValues } from './vendor-settings';

/**
 * The validated configuration, read through typed getters: `config.get('KAFKA_BROKERS')` for the core
 * settings, `config.vendor(twilioSettings).TWILIO_FROM` for a provider's block. Built once at start-up by
 * providers/provider-config.ts (loadConfig), which hands in every registered provider's block.
 */
@Injectable()
export class AppConfig {
  private readonly vendors: ReadonlySet<VendorSettings>;

  constructor(
    private readonly values: AppConfigValues & Record<string, unknown>,
    vendors: readonly VendorSettings[],
  ) {
    this.vendors = new Set(vendors);
  }

  static fromEnv(env: NodeJS.ProcessEnv, vendors: readonly VendorSettings[]): AppConfig {
    return new AppConfig(parseConfig(env, vendors), vendors);
  }

  get<K extends keyof AppConfigValues>(key: K): AppConfigValues[K] {
    return this.values[key];
  }

  /** A provider's settings, validated with the rest at start-up. */
  vendor<S extends z.ZodRawShape>(block: VendorSettings<S>): VendorValues<S> {
    if (!this.vendors.has(block)) {
      // A programming error: this AppConfig was built without the provider registry (use loadConfig).
      throw new Error(`${block.provider} settings were not validated at start-up`);
    }
    return this.values as unknown as VendorValues<S>;
  }
}
