import { Module } from '@nestjs/common';
import { SMS_PROVIDERS, SmsProvider } from './provider.interface';
import { ProviderBreakers } from './provider-breakers';
import { ProviderRateLimiter } from './provider-rate-limiter';
import { ProviderRoute } from './provider-route';
import { SmppConnection } from './smpp/smpp-connection';
import { SmppProvider } from './smpp/smpp.provider';
import { TwilioProvider } from './twilio/twilio.provider';
import { VonageProvider } from './vonage/vonage.provider';

@Module({
  providers: [
    TwilioProvider,
    VonageProvider,
    SmppConnection,
    SmppProvider,
    {
      provide: SMS_PROVIDERS,
      inject: [TwilioProvider, VonageProvider, SmppProvider],
      useFactory: (...providers: SmsProvider[]) => providers,
    },
    ProviderRoute,
    ProviderBreakers,
    ProviderRateLimiter,
  ],
  exports: [ProviderRoute, SMS_PROVIDERS, ProviderBreakers, ProviderRateLimiter, SmppProvider],
})
export class ProvidersModule {}
