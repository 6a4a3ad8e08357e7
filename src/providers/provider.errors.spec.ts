import fc from 'fast-check';
import { PERMANENT_REASONS, recipientRejection } from '../sandbox/magic-numbers';
import { CircuitOpenError, ProviderTimeoutError, TransientProviderError } from './provider.errors';
import { mapSmppStatus } from './smpp/smpp.codes';
import { mapTwilioError } from './twilio/twilio.codes';
import { mapVonageError } from './vonage/vonage.codes';

// A mobile number as each vendor is handed it: E.164 to Twilio, digits to Vonage and the SMSC.
const mobile = fc
  .tuple(fc.constantFrom('+447', '+861', '+1415', '+3538'), fc.integer({ min: 1_000_000, max: 99_999_999 }))
  .map(([head, tail]) => `${head}${tail}`);

/** No 7 digits in a row of the number are left in `text`. */
function leaks(text: string, number: string): boolean {
  const digits = number.replace(/\D/g, '');
  for (let i = 0; i + 7 <= digits.length; i++) if (text.includes(digits.slice(i, i + 7))) return true;
  return false;
}

describe('provider error texts', () => {
  it('property: the vendors’ permanent errors that quote the recipient keep no full number', () => {
    fc.assert(
      fc.property(mobile, fc.constantFrom(...PERMANENT_REASONS), (to, reason) => {
        const said = recipientRejection(to, [{ number: to, reason }], '+15005550006')!;
        const twilio = mapTwilioError({ status: 400, code: said.twilio.code, message: said.twilio.message });
        const vonage = mapVonageError({
          name: 'MessageSendAllFailure',
          message: 'All SMS messages failed to send',
          response: { messages: [{ ...said.vonage, status: said.vonage.status }] },
        });
        const smpp = mapSmppStatus(said.smpp.status, said.smpp.text);
        for (const err of [twilio, vonage, smpp]) {
          expect(err.kind).toBe('permanent');
          expect([err.message, leaks(err.message, to), leaks(err.stack ?? '', to)]).toEqual([
            err.message,
            false,
            false,
          ]);
        }
        expect(twilio.code).toBe(String(said.twilio.code));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps what support needs: the vendor words, the code and the last digits', () => {
    const said = recipientRejection('+447400123456', [{ number: '+447400123456', reason: 'invalid' }])!;
    const err = mapTwilioError({ status: 400, code: 21211, message: said.twilio.message });
    expect(err.message).toBe("The 'To' number +*********456 is not a valid phone number.");
    expect(mapSmppStatus(said.smpp.status, said.smpp.text).message).toBe(
      'submit_sm_resp ESME_RINVDSTADR: Invalid destination address +*********456',
    );
  });

  it('masks numbers and card numbers in every typed error, transport and breaker ones included', () => {
    const timeout = new ProviderTimeoutError('twilio', 'timeout asking for +447400123456');
    const transient = new TransientProviderError('vonage', 'NETWORK', 'socket hang up for 447400123456');
    const open = new CircuitOpenError('smpp', 'ERROR: card 4111111111111111 to 07400123456');
    expect(timeout.message).toBe('timeout asking for +*********456');
    expect(transient.message).toBe('socket hang up for *********456');
    expect(open.message).toBe(
      'smpp circuit breaker is open (last failure ERROR: card ************1111 to ********456)',
    );
  });
});
