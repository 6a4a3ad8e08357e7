import { loadConfig } from '../providers/provider-config';
import { twilioSettings } from '../providers/twilio/twilio.settings';
import { AppConfig } from './app-config';

describe('AppConfig', () => {
  it('reads a provider block validated with the rest at start-up, typed', () => {
    const config = loadConfig({ TWILIO_FROM: '+447700900123', PROVIDER_TIMEOUT_MS: '1234' });
    expect(config.vendor(twilioSettings).TWILIO_FROM).toBe('+447700900123');
    expect(config.get('PROVIDER_TIMEOUT_MS')).toBe(1234);
  });

  it('refuses to read a block it was not validated with, rather than hand out unchecked values', () => {
    const twilioOnly = AppConfig.fromEnv({ PROVIDERS: 'twilio', TWILIO_FROM: 'x' }, [twilioSettings]);
    expect(twilioOnly.vendor(twilioSettings).TWILIO_FROM).toBe('x');
    const withoutTwilio = AppConfig.fromEnv({}, []);
    expect(() => withoutTwilio.vendor(twilioSettings)).toThrow(
      'twilio settings were not validated at start-up',
    );
  });
});
