import { parseFault } from '../sandbox.faults';
import {
  bindStatus,
  destinationRefusal,
  inboundFields,
  receiptWanted,
  SessionState,
  settledStatus,
} from './smpp-answers';
import { SMPP_STATUS, SmppPdu, SmppSession } from './smpp-types';

const account = { systemId: 'alertline', password: 'secret' };
const session = {} as SmppSession;
const bind = (fields: Partial<SmppPdu>) =>
  ({ system_id: 'alertline', password: 'secret', ...fields }) as SmppPdu;

describe('SMSC answers', () => {
  it('binds once, with the configured system_id and password, unless the fault refuses binds', () => {
    const fresh: SessionState = { session };
    expect(bindStatus(fresh, bind({}), parseFault({}), account)).toBe(SMPP_STATUS.ESME_ROK);
    expect(bindStatus({ session, bind: 'transmitter' }, bind({}), parseFault({}), account)).toBe(
      SMPP_STATUS.ESME_RALYBND,
    );
    expect(bindStatus(fresh, bind({}), parseFault({ smpp: { refuseBind: true } }), account)).toBe(
      SMPP_STATUS.ESME_RBINDFAIL,
    );
    expect(bindStatus(fresh, bind({ system_id: 'other' }), parseFault({}), account)).toBe(
      SMPP_STATUS.ESME_RINVSYSID,
    );
    expect(bindStatus(fresh, bind({ password: 'wrong' }), parseFault({}), account)).toBe(
      SMPP_STATUS.ESME_RINVPASWD,
    );
  });

  it('refuses an implausible or permanently failing destination and accepts others', () => {
    expect(destinationRefusal('12', parseFault({}))).toBe('Invalid destination address 12');
    expect(destinationRefusal('+447700900123', parseFault({}))).toBeUndefined();
    expect(destinationRefusal('+447700900123', parseFault({ permanentNumbers: ['+447700900123'] }))).toEqual(
      expect.any(String),
    );
  });

  it('sends a receipt when registered_delivery asks for it: always (1) or on failure only (2)', () => {
    expect(receiptWanted(undefined, 'delivered')).toBe(false);
    expect(receiptWanted(1, 'delivered')).toBe(true);
    expect(receiptWanted(2, 'delivered')).toBe(false);
    expect(receiptWanted(2, 'undelivered')).toBe(true);
    expect(receiptWanted(0x11, 'delivered')).toBe(true);
  });

  it('settles delivered and sent without an error code, and only sent as not final', () => {
    expect(settledStatus('delivered', 'X')).toEqual({ stat: 'DELIVRD', errorCode: undefined, final: true });
    expect(settledStatus('sent', 'X')).toMatchObject({ errorCode: undefined, final: false });
    expect(settledStatus('undelivered', '042')).toMatchObject({ errorCode: '042', final: true });
    expect(settledStatus('undelivered', undefined).errorCode).toBe('001');
  });

  it('sends a reply from the number without its plus', () => {
    expect(
      inboundFields({ from: '+447700900123', to: '+447700900000', text: 'NO', signature: 'none' }),
    ).toMatchObject({ source_addr: '447700900123', destination_addr: '447700900000', short_message: 'NO' });
  });
});
