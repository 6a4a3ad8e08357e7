import { PRODUCTION_ENV } from '../../../test/support/production-env';
import { parseConfig } from '../provider-config';

/** The start-up error's lines for these settings, or [] when they are accepted. */
function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
    return [];
  } catch (e) {
    return (e as Error).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
}
const named = (lines: string[]) => lines.map((l) => l.split(':')[0]);

describe('Tencent Cloud settings', () => {
  it('defaults to the sandbox outside production, to Tencent’s own host in production', () => {
    expect(parseConfig({}).TENCENT_SMS_ENDPOINT).toBe('http://127.0.0.1:3010/tencent');
    expect(parseConfig({ ...PRODUCTION_ENV }).TENCENT_SMS_ENDPOINT).toBeUndefined();
  });

  it('refuses a loopback or plain-http endpoint in production, accepts Tencent’s', () => {
    for (const url of ['https://127.0.0.1/tencent', 'https://localhost', 'http://sms.tencentcloudapi.com'])
      expect(named(problems({ ...PRODUCTION_ENV, TENCENT_SMS_ENDPOINT: url }))).toEqual([
        'TENCENT_SMS_ENDPOINT',
      ]);
    expect(problems({ ...PRODUCTION_ENV, TENCENT_SMS_ENDPOINT: 'https://sms.tencentcloudapi.com' })).toEqual(
      [],
    );
  });

  it('names a bad TENCENT_TEMPLATES, signature or app id at start-up', () => {
    const [missing, ...others] = problems({ TENCENT_TEMPLATES: 'card_authorised:zh-CN=1' });
    expect(others).toEqual([]);
    expect(missing).toMatch(
      /^TENCENT_TEMPLATES: no TemplateId for card_authorised:en, card_reversed_full:en, .*card_refunded_partial:zh-CN$/,
    );
    expect(problems({ TENCENT_TEMPLATES: 'card_authorised:zh-CN=x,card_authorised:en=2' })[0]).toMatch(
      /^TENCENT_TEMPLATES: "card_authorised:zh-CN=x" is not/,
    );
    expect(named(problems({ TENCENT_SIGN_NAME: '【银行】' }))).toEqual(['TENCENT_SIGN_NAME']);
    expect(named(problems({ TENCENT_SMS_SDK_APP_ID: 'app' }))).toEqual(['TENCENT_SMS_SDK_APP_ID']);
    expect(named(problems({ TENCENT_REGION: 'ap-shanghai' }))).toEqual(['TENCENT_REGION']);
  });

  it('checks the callback token whatever PROVIDERS says, the sending credentials only when tencent is in it', () => {
    const withoutTencent = {
      ...PRODUCTION_ENV,
      PROVIDERS: 'twilio',
      TENCENT_SECRET_ID: undefined,
      TENCENT_SECRET_KEY: undefined,
      TENCENT_SMS_SDK_APP_ID: undefined,
      TENCENT_TEMPLATES: undefined,
    };
    expect(problems(withoutTencent)).toEqual([]);
    expect(named(problems({ ...withoutTencent, TENCENT_CALLBACK_TOKEN: undefined }))).toEqual([
      'TENCENT_CALLBACK_TOKEN',
    ]);
    expect(problems({ ...withoutTencent, TENCENT_CALLBACK_TOKEN: 'only-twenty-chars-xx' })).toEqual([
      'TENCENT_CALLBACK_TOKEN: must be at least 32 characters in production (e.g. openssl rand -hex 32) (NODE_ENV=production)',
    ]);
    expect(named(problems({ ...PRODUCTION_ENV, TENCENT_SECRET_KEY: undefined }))).toEqual([
      'TENCENT_SECRET_KEY',
    ]);
  });
});
