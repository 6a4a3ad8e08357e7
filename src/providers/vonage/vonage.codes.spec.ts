import {
  PermanentRecipientError,
  ProviderTimeoutError,
  RateLimitedError,
  TransientProviderError,
} from '../provider.errors';
import { ProviderMessageStatus as P } from '../provider.interface';
import {
  mapVonageDlrStatus,
  mapVonageError,
  mapVonageFinalStatus,
  mapVonageStatusCode,
} from './vonage.codes';

describe('vonage code mapping', () => {
  it.each(['6', '7', '33'])('status %s blames the number', (status) => {
    const err = mapVonageStatusCode({ status, errorText: 'x' });
    expect(err).toBeInstanceOf(PermanentRecipientError);
    expect(err.code).toBe(status);
  });

  it('status 1 is a rate limit; account and request problems are transient', () => {
    expect(mapVonageStatusCode({ status: '1' })).toBeInstanceOf(RateLimitedError);
    for (const status of ['2', '3', '4', '5', '8', '9', '15', '29']) {
      expect(mapVonageStatusCode({ status })).toBeInstanceOf(TransientProviderError);
      expect(mapVonageStatusCode({ status })).not.toBeInstanceOf(PermanentRecipientError);
    }
  });

  it('reads the SDK errors: a refused message, HTTP statuses, an abort, a reset', () => {
    const refused = { response: { messages: [{ status: '7', errorText: 'Number barred.' }] } };
    expect(mapVonageError(refused)).toMatchObject({
      kind: 'permanent',
      code: '7',
      message: 'Number barred.',
    });
    const headers = { get: (h: string) => (h === 'retry-after' ? '3' : null) };
    const throttled = mapVonageError({ response: { status: 429, headers } });
    expect(throttled).toBeInstanceOf(RateLimitedError);
    expect((throttled as RateLimitedError).retryAfterMs).toBe(3000);
    expect(mapVonageError({ response: { status: 503 } })).toMatchObject({
      kind: 'transient',
      code: 'HTTP_503',
    });
    expect(mapVonageError({ name: 'AbortError', message: 'aborted' })).toBeInstanceOf(ProviderTimeoutError);
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    expect(mapVonageError(reset)).toMatchObject({
      kind: 'transient',
      code: 'ECONNRESET',
      message: 'fetch failed: read ECONNRESET',
    });
  });

  it('maps DLR and search statuses', () => {
    expect(mapVonageDlrStatus('delivered')).toBe(P.DELIVERED);
    expect(mapVonageDlrStatus('failed')).toBe(P.UNDELIVERED);
    expect(mapVonageDlrStatus('expired')).toBe(P.UNDELIVERED);
    expect(mapVonageDlrStatus('rejected')).toBe(P.FAILED);
    expect(mapVonageDlrStatus('accepted')).toBe(P.SENT);
    expect(mapVonageDlrStatus('something-new')).toBe(P.ACCEPTED);
    expect(mapVonageFinalStatus('DELIVRD')).toBe(P.DELIVERED);
    expect(mapVonageFinalStatus('REJECTD')).toBe(P.FAILED);
    expect(mapVonageFinalStatus(undefined)).toBe(P.SENT);
  });
});
