import { parseConfig } from '../providers/provider-config';
import { ConfigError } from './config.schema';
import { PRODUCTION_ENV, REFUSED_WHEN_UNSET } from '../../test/support/production-env';
import { ALL_SANDBOX_DEFAULTS as SANDBOX_DEFAULTS } from '../providers/provider-config';
import { isLoopbackHost } from './production.rules';

function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message.split('\n').slice(1);
  }
}
const lineFor = (lines: string[], setting: string) => lines.find((l) => l.trim().startsWith(`${setting}:`));

describe('production refuses the sandbox’s settings', () => {
  it('accepts a fully configured production environment, with the vendors’ own hosts', () => {
    const config = parseConfig(PRODUCTION_ENV);
    expect(config.TWILIO_BASE_URL).toBeUndefined();
    expect(config.VONAGE_BASE_URL).toBeUndefined();
    expect(config.API_KEYS.size).toBe(2);
  });

  it('keeps the sandbox defaults outside production (demo, bench and tests need no settings)', () => {
    for (const NODE_ENV of [undefined, 'development', 'test']) {
      const config = parseConfig({ NODE_ENV });
      expect(config.TWILIO_BASE_URL).toBe(SANDBOX_DEFAULTS.TWILIO_BASE_URL);
      expect(config.VONAGE_BASE_URL).toBe(SANDBOX_DEFAULTS.VONAGE_BASE_URL);
      expect(config.API_KEYS.get('support-demo-key')).toBe('support');
    }
  });

  it('lists every offending setting at once when NODE_ENV=production is all that is set', () => {
    const lines = problems({ NODE_ENV: 'production' });
    const named = lines.map((l) => l.trim().split(':')[0]).sort();
    expect(named).toEqual([...REFUSED_WHEN_UNSET].sort());
    for (const line of lines) expect(line).toContain('(NODE_ENV=production)');
  });

  it.each(REFUSED_WHEN_UNSET)(
    'refuses %s unset, and set to the sandbox’s value',
    (setting) => {
      for (const value of [undefined, SANDBOX_DEFAULTS[setting]]) {
        const lines = problems({ ...PRODUCTION_ENV, [setting]: value });
        expect(lines).toHaveLength(1);
        expect(lineFor(lines, setting)).toBeDefined();
      }
    },
  );

  it('refuses each README demo API key, even beside a strong one, without printing any key', () => {
    for (const demo of ['support-demo-key:support', 'supervisor-demo-key:supervisor']) {
      const lines = problems({ ...PRODUCTION_ENV, API_KEYS: `${PRODUCTION_ENV.API_KEYS},${demo}` });
      expect(lineFor(lines, 'API_KEYS')).toContain('demo key');
    }
    const weak = [
      'short-but-valid-key:support',
      'a'.repeat(40) + ':supervisor',
      'abababababababababababababababab12:support',
    ];
    for (const entry of weak) {
      const key = entry.split(':')[0];
      const line = lineFor(
        problems({ ...PRODUCTION_ENV, API_KEYS: `${PRODUCTION_ENV.API_KEYS},${entry}` }),
        'API_KEYS',
      );
      expect(line).toContain('entry 3 too weak');
      expect(line).not.toContain(key);
    }
  });

  const loopbacks = [
    '127.0.0.1',
    '127.0.0.53',
    '127.1',
    '0x7f.0.0.1',
    'localhost',
    'LOCALHOST',
    'api.localhost',
    '0.0.0.0',
    '[::1]',
    '[0:0:0:0:0:0:0:1]',
    '[::]',
    '[::ffff:127.0.0.1]',
  ];
  const urlSettings = ['TWILIO_BASE_URL', 'VONAGE_BASE_URL', 'PUBLIC_BASE_URL'] as const;
  it.each(urlSettings)('refuses %s on loopback (any spelling) and over plain http', (setting) => {
    for (const host of loopbacks) {
      const line = lineFor(problems({ ...PRODUCTION_ENV, [setting]: `https://${host}:3010` }), setting);
      expect(line).toContain('this machine');
    }
    expect(lineFor(problems({ ...PRODUCTION_ENV, [setting]: 'http://sandbox:3010' }), setting)).toContain(
      'must be https',
    );
    expect(problems({ ...PRODUCTION_ENV, [setting]: 'https://api.vendor.example' })).toEqual([]);
  });

  it('refuses SMPP_HOST on loopback, any spelling', () => {
    for (const host of [...loopbacks, '::1']) {
      expect(lineFor(problems({ ...PRODUCTION_ENV, SMPP_HOST: host }), 'SMPP_HOST')).toContain(
        'this machine',
      );
    }
    expect(isLoopbackHost('smsc.carrier.example')).toBe(false);
    expect(isLoopbackHost('10.0.0.7')).toBe(false);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });

  it('checks a provider’s sending credentials only when it is in PROVIDERS; webhook secrets always', () => {
    const twilioOnly = {
      ...PRODUCTION_ENV,
      PROVIDERS: 'twilio',
      VONAGE_API_KEY: undefined,
      VONAGE_API_SECRET: undefined,
      SMPP_PASSWORD: undefined,
      SMPP_HOST: undefined,
    };
    expect(problems(twilioOnly)).toEqual([]);
    const lines = problems({ ...twilioOnly, VONAGE_SIGNATURE_SECRET: undefined });
    expect(lines.map((l) => l.trim().split(':')[0])).toEqual(['VONAGE_SIGNATURE_SECRET']);
    const smsOnly = { ...PRODUCTION_ENV, PROVIDERS: 'smpp', TWILIO_ACCOUNT_SID: undefined };
    expect(problems({ ...smsOnly, TWILIO_AUTH_TOKEN: undefined }).map((l) => l.trim().split(':')[0])).toEqual(
      ['TWILIO_AUTH_TOKEN'],
    );
  });
});
