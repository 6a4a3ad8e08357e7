import { ForbiddenException } from '@nestjs/common';
import twilio from 'twilio';
import { webhookGuard } from '../../receipts/testing/webhook-guard';
import { loadConfig } from '../provider-config';
import { TwilioStatusWebhook } from './twilio-status.webhook';
import { twilio as definition } from './twilio.definition';

const TOKEN = 'sandbox-twilio-auth-token';
const params = { MessageSid: 'SM0123', MessageStatus: 'delivered', To: '+447911123456' };

function check(base: string, signature: string | undefined) {
  const config = loadConfig({ PUBLIC_BASE_URL: base, TWILIO_AUTH_TOKEN: TOKEN });
  const { run, metrics } = webhookGuard(config, definition, 'status', new TwilioStatusWebhook(config));
  const req = {
    ip: '203.0.113.7',
    originalUrl: '/webhooks/twilio/status',
    body: params,
    header: (name: string) => (name === 'x-twilio-signature' ? signature : undefined),
  };
  return { run: () => run(req), metrics };
}
const sign = (url: string, token = TOKEN) => twilio.getExpectedTwilioSignature(token, url, params);

describe('Twilio status callback signature (through the receipt webhook guard)', () => {
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
