import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ProviderName } from '../config/config.schema';
import { SMS_PROVIDERS, SmsProvider } from './provider.interface';

/** The configured providers in failover order (PROVIDERS=twilio,vonage,smpp). */
@Injectable()
export class ProviderRoute {
  private readonly ordered: SmsProvider[];
  private readonly byName: Map<ProviderName, SmsProvider>;

  constructor(config: AppConfig, @Inject(SMS_PROVIDERS) providers: SmsProvider[]) {
    this.byName = new Map(providers.map((p) => [p.name, p]));
    this.ordered = config.get('PROVIDERS').map((name) => {
      const p = this.byName.get(name);
      if (!p) throw new Error(`PROVIDERS names "${name}" but no adapter is registered for it`);
      return p;
    });
  }

  route(): SmsProvider[] {
    return this.ordered;
  }

  get(name: string): SmsProvider | undefined {
    return this.byName.get(name);
  }
}
