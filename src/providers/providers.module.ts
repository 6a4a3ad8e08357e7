import { Module } from '@nestjs/common';
import { SMS_PROVIDERS, SmsProvider } from './provider.interface';
import { ProviderBreakers } from './provider-breakers';
import { ProviderRateLimiter } from './provider-rate-limiter';
import { ProviderRoute } from './provider-route';
import { PROVIDER_REGISTRY } from './provider.registry';

const adapters = PROVIDER_REGISTRY.map((p) => p.adapter);

/** Every registered provider's adapter (dispatcher role); ProviderRoute orders them as PROVIDERS says. */
@Module({
  providers: [
    ...PROVIDER_REGISTRY.flatMap((p) => [p.adapter, ...(p.adapterDeps ?? [])]),
    {
      provide: SMS_PROVIDERS,
      inject: adapters,
      useFactory: (...providers: SmsProvider[]) => providers,
    },
    ProviderRoute,
    ProviderBreakers,
    ProviderRateLimiter,
  ],
  exports: [ProviderRoute, SMS_PROVIDERS, ProviderBreakers, ProviderRateLimiter],
})
export class ProvidersModule {}
