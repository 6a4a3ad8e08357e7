import { Injectable } from '@nestjs/common';
import { AppConfigValues, parseConfig } from './config.schema';

/** The validated configuration, read through a typed getter: `config.get('KAFKA_BROKERS')`. */
@Injectable()
export class AppConfig {
  constructor(private readonly values: AppConfigValues) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
    return new AppConfig(parseConfig(env));
  }

  get<K extends keyof AppConfigValues>(key: K): AppConfigValues[K] {
    return this.values[key];
  }
}
