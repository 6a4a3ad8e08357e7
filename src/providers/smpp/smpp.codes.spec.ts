import { PermanentRecipientError, RateLimitedError, TransientProviderError } from '../provider.errors';
import { ProviderMessageStatus as P } from '../provider.interface';
import { mapSmppStatus, parseSmppReceipt } from './smpp.codes';
import type { EsmePdu } from './smpp.types';

const pdu = (fields: Partial<EsmePdu>) =>
  ({ command: 'deliver_sm', command_status: 0, sequence_number: 1, ...fields }) as EsmePdu;

describe('smpp code mapping', () => {
  it('ESME_RINVDSTADR is permanent, throttling is a rate limit, the rest transient', () => {
    expect(mapSmppStatus(0x0b)).toBeInstanceOf(PermanentRecipientError);
    expect(mapSmppStatus(0x0b).code).toBe('ESME_RINVDSTADR');
    expect(mapSmppStatus(0x58)).toBeInstanceOf(RateLimitedError);
    expect(mapSmppStatus(0x14)).toMatchObject({ kind: 'rate-limited', code: 'ESME_RMSGQFUL' });
    expect(mapSmppStatus(0x08)).toMatchObject({ kind: 'transient', code: 'ESME_RSYSERR' });
    expect(mapSmppStatus(0x0a)).toBeInstanceOf(TransientProviderError);
    expect(mapSmppStatus(0x4242).code).toBe('0x00004242');
  });

  it('reads a receipt from its text', () => {
    const text =
      'id:7F3A sub:001 dlvrd:000 submit date:2611222300 done date:2611222301 stat:UNDELIV err:001 text:Your card';
    expect(parseSmppReceipt(pdu({ esm_class: 0x04, short_message: { message: text } }))).toEqual({
      messageId: '7F3A',
      stat: 'UNDELIV',
      status: P.UNDELIVERED,
      errorCode: '001',
    });
  });

  it('prefers receipted_message_id and falls back to message_state without text', () => {
    expect(
      parseSmppReceipt(pdu({ esm_class: 0x04, receipted_message_id: 'AB12', message_state: 2 })),
    ).toEqual({
      messageId: 'AB12',
      stat: 'DELIVRD',
      status: P.DELIVERED,
      errorCode: undefined,
    });
  });

  it('ignores a deliver_sm that is not a receipt', () => {
    expect(
      parseSmppReceipt(pdu({ esm_class: 0, short_message: { message: 'id:1 stat:DELIVRD' } })),
    ).toBeNull();
  });
});
