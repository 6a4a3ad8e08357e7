import { Module } from '@nestjs/common';
import { SMS_PROVIDERS, SmsProvider } from './provider.interface';
import { ProviderRoute } from './provider-route';
import { TwilioProvider } from './twilio/twilio.provider';

@Module({
  providers: [
    TwilioProvider,
    {
      provide: SMS_PROVIDERS,
      inject: [TwilioProvider],
      useFactory: (...providers: SmsProvider[]) => providers,
    },
    ProviderRoute,
  ],
  exports: [ProviderRoute, SMS_PROVIDERS],
})
export class ProvidersModule {}
