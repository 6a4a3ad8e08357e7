import { ExecutionContext, ForbiddenException } from '@nestjs/common';
import twilio from 'twilio';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
import { RequestThrottle } from '../auth/request-throttle';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { WebhookRefusal } from './webhook-refusal';

const TOKEN = 'sandbox-twilio-auth-token';
const params = { MessageSid: 'SM0123', MessageStatus: 'delivered', To: '+447911123456' };

function check(base: string, signature: string | undefined) {
  const metrics = new Metrics();
  const config = AppConfig.fromEnv({ PUBLIC_BASE_URL: base, TWILIO_AUTH_TOKEN: TOKEN });
  const guard = new TwilioSignatureGuard(
    config,
    new WebhookRefusal(new RequestThrottle(config, metrics), metrics),
  );
  const req = {
    ip: '203.0.113.7',
    originalUrl: '/webhooks/twilio/status',
    body: params,
    header: (name: string) => (name === 'x-twilio-signature' ? signature : undefined),
  };
  const context = { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
  return { run: () => guard.canActivate(context), metrics };
}
const sign = (url: string, token = TOKEN) => twilio.getExpectedTwilioSignature(token, url, params);

describe('TwilioSignatureGuard', () => {
  it('accepts a callback signed over the URL as configured, port included, with one HMAC', async () => {
    const validateRequest = jest.spyOn(twilio, 'validateRequest');
    try {
      const url = 'http://127.0.0.1:3000/webhooks/twilio/status';
      await expect(check('http://127.0.0.1:3000', sign(url)).run()).resolves.toBe(true);
      expect(validateRequest).not.toHaveBeenCalled();
    } finally {
      validateRequest.mockRestore();
    }
  });

  it("still accepts the URL forms the SDK allows (here signed with the scheme's default port)", async () => {
    await expect(
      check('https://alerts.example', sign('https://alerts.example:443/webhooks/twilio/status')).run(),
    ).resolves.toBe(true);
  });

  it('refuses and counts a forged or missing signature', async () => {
    const url = 'https://alerts.example/webhooks/twilio/status';
    for (const signature of [sign(url, 'not-the-auth-token'), undefined, 'short']) {
      const { run, metrics } = check('https://alerts.example', signature);
      await expect(run()).rejects.toThrow(ForbiddenException);
      const bad = (await metrics.receipts.get()).values.find((v) => v.labels.status === 'BAD_SIGNATURE');
      expect(bad?.value).toBe(1);
    }
  });
});
