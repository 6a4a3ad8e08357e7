import {
  PermanentRecipientError,
  ProviderTimeoutError,
  RateLimitedError,
  SendOutcomeUnknownError,
  TransientProviderError,
} from '../provider.errors';
import { ProviderMessageStatus } from '../provider.interface';
import { mapTwilioError, mapTwilioStatus } from './twilio.codes';

describe('twilio code mapping', () => {
  it.each([21211, 21614, 21610, 30004, 30005, 30006])('%i is a permanent recipient error', (code) => {
    const err = mapTwilioError({ status: 400, code, message: 'x' });
    expect(err).toBeInstanceOf(PermanentRecipientError);
    expect(err.code).toBe(String(code));
  });
  it('429 and 20429 are rate limits', () => {
    expect(mapTwilioError({ status: 429, code: 20429 })).toBeInstanceOf(RateLimitedError);
    expect(mapTwilioError({ status: 429 })).toBeInstanceOf(RateLimitedError);
  });
  it('5xx, unknown 4xx and transport errors are transient', () => {
    expect(mapTwilioError({ status: 503 })).toMatchObject({ code: 'HTTP_503', kind: 'transient' });
    expect(mapTwilioError({ status: 401, code: 20003 })).toBeInstanceOf(TransientProviderError);
    expect(mapTwilioError({ status: 400, code: 21408 })).toBeInstanceOf(TransientProviderError);
    expect(mapTwilioError({ code: 'ECONNABORTED', message: 'timeout of 500ms exceeded' })).toBeInstanceOf(
      ProviderTimeoutError,
    );
    expect(mapTwilioError({ code: 'ECONNREFUSED' })).toMatchObject({
      code: 'ECONNREFUSED',
      kind: 'transient',
    });
  });
  it('a reset under a written request is an unknown outcome, a refused connection is not', () => {
    expect(mapTwilioError({ code: 'ECONNRESET' })).toBeInstanceOf(SendOutcomeUnknownError);
    expect(mapTwilioError({ code: 'ECONNRESET' })).not.toBeInstanceOf(ProviderTimeoutError);
    expect(mapTwilioError({ code: 'ECONNABORTED' })).toBeInstanceOf(SendOutcomeUnknownError);
    expect(mapTwilioError({ code: 'ECONNREFUSED' })).not.toBeInstanceOf(SendOutcomeUnknownError);
  });
  it('maps statuses', () => {
    expect(mapTwilioStatus('delivered')).toBe(ProviderMessageStatus.DELIVERED);
    expect(mapTwilioStatus('undelivered')).toBe(ProviderMessageStatus.UNDELIVERED);
    expect(mapTwilioStatus('failed')).toBe(ProviderMessageStatus.FAILED);
    expect(mapTwilioStatus('sent')).toBe(ProviderMessageStatus.SENT);
    expect(mapTwilioStatus('queued')).toBe(ProviderMessageStatus.ACCEPTED);
  });
});
