import { isPlausibleNumber, magicRejection } from '../magic-numbers';
import { SandboxStore } from '../sandbox.store';
import {
  ConcatAssembler,
  concatFromSar,
  concatFromUdh,
  decodeBody,
  encodingName,
  formatReceiptText,
  payloadSegments,
  receiptFields,
  smppDate,
} from './smpp-concat';

describe('concatenation info', () => {
  it('reads 8-bit and 16-bit reference UDH elements', () => {
    expect(concatFromUdh([Buffer.from([0x00, 0x03, 0x2a, 0x03, 0x02])])).toEqual({
      ref: 42,
      total: 3,
      seq: 2,
    });
    expect(concatFromUdh([Buffer.from([0x08, 0x04, 0x01, 0x02, 0x02, 0x01])])).toEqual({
      ref: 258,
      total: 2,
      seq: 1,
    });
  });

  it('ignores other elements and impossible sequence numbers', () => {
    expect(concatFromUdh([Buffer.from([0x24, 0x01, 0x00])])).toBeUndefined();
    expect(concatFromUdh([Buffer.from([0x00, 0x03, 0x01, 0x02, 0x03])])).toBeUndefined();
    expect(concatFromUdh(undefined)).toBeUndefined();
  });

  it('reads SAR TLVs', () => {
    expect(concatFromSar({ sar_msg_ref_num: 7, sar_total_segments: 2, sar_segment_seqnum: 2 })).toEqual({
      ref: 7,
      total: 2,
      seq: 2,
    });
    expect(concatFromSar({})).toBeUndefined();
  });
});

describe('ConcatAssembler', () => {
  it('joins parts arriving out of order, once all are in', () => {
    const a = new ConcatAssembler();
    expect(a.add('k', { ref: 1, total: 3, seq: 3 }, 'c', 'id3', 0)).toEqual({ complete: false });
    expect(a.add('k', { ref: 1, total: 3, seq: 1 }, 'a', 'id1', 1)).toEqual({ complete: false });
    expect(a.add('k', { ref: 1, total: 3, seq: 1 }, 'a', 'id1b', 2)).toEqual({ complete: false }); // repeat
    expect(a.add('k', { ref: 1, total: 3, seq: 2 }, 'b', 'id2', 3)).toEqual({
      complete: true,
      text: 'abc',
      partIds: ['id1b', 'id2', 'id3'],
    });
    expect(a.size).toBe(0);
  });

  it('keeps messages with the same reference apart per key', () => {
    const a = new ConcatAssembler();
    a.add('alice', { ref: 1, total: 2, seq: 1 }, 'A1', 'x', 0);
    expect(a.add('bob', { ref: 1, total: 2, seq: 2 }, 'B2', 'y', 0)).toEqual({ complete: false });
    expect(a.size).toBe(2);
  });

  it('drops incomplete messages after their time', () => {
    const a = new ConcatAssembler(1000);
    a.add('k', { ref: 1, total: 2, seq: 1 }, 'a', 'id1', 0);
    expect(a.sweep(999)).toBe(0);
    expect(a.sweep(1000)).toBe(1);
  });
});

describe('receipts and codings', () => {
  it('formats the receipt text', () => {
    const at = Date.UTC(2024, 0, 2, 3, 4, 5);
    expect(smppDate(at)).toBe('2401020304');
    expect(
      formatReceiptText({
        id: 'ABC',
        submittedAt: at,
        doneAt: at,
        stat: 'DELIVRD',
        body: 'Card *1234 used: 您好 GBP 12.00',
      }),
    ).toBe(
      'id:ABC sub:001 dlvrd:001 submit date:2401020304 done date:2401020304 stat:DELIVRD err:000 text:Card ?1234 used: ?? ',
    );
    expect(
      formatReceiptText({ id: 'X', submittedAt: at, doneAt: at, stat: 'UNDELIV', err: '1', body: '' }),
    ).toMatch(/dlvrd:000 .* stat:UNDELIV err:001 text:$/);
  });

  it('names data codings', () => {
    expect(encodingName(8)).toBe('UCS-2');
    expect(encodingName(0)).toBe('GSM-7');
    expect(encodingName(null)).toBe('GSM-7');
    expect(encodingName(3)).toBe('LATIN-1');
  });

  it('knows the magic numbers in any format', () => {
    expect(magicRejection('+15005550001')?.twilio.code).toBe(21211);
    expect(magicRejection('15005550004')?.vonage.status).toBe('7');
    expect(magicRejection('+15005550006')).toBeUndefined();
    expect(isPlausibleNumber('+447700900123')).toBe(true);
    expect(isPlausibleNumber('447700900123')).toBe(true);
    expect(isPlausibleNumber('+0123')).toBe(false);
  });
});

describe('decoding and part counts', () => {
  it('takes the text and UDH the smpp package decoded', () => {
    const udh = [Buffer.from([0x00, 0x03, 1, 2, 1])];
    expect(decodeBody({ message: '您好', udh })).toEqual({ text: '您好', udh });
    expect(decodeBody(undefined)).toEqual({ text: '' });
    expect(decodeBody(Buffer.from('abc'))).toEqual({ text: 'abc' });
  });

  it('counts a message_payload as the parts it will take on air', () => {
    expect(payloadSegments('您'.repeat(200), 8)).toBe(3);
    expect(payloadSegments('x'.repeat(161), 0)).toBe(2);
    expect(payloadSegments('é'.repeat(141), 3)).toBe(2);
  });

  it('builds a receipt from the message status', () => {
    const message = new SandboxStore(1).add({
      provider: 'smpp',
      id: 'P1',
      partIds: ['P1', 'P2'],
      to: '447700900001',
      from: 'Bank',
      body: 'hello',
      segments: 2,
      encoding: 'GSM-7',
      status: 'UNDELIV',
      receivedAt: Date.UTC(2024, 0, 1),
      account: 'alertline',
      plannedReceipt: 'undelivered',
    });
    message.errorCode = '001';
    expect(receiptFields(message, 'P2')).toMatchObject({
      source_addr: '447700900001',
      destination_addr: 'Bank',
      esm_class: 0x04,
      receipted_message_id: 'P2',
      message_state: 5,
      short_message: expect.stringMatching(/^id:P2 .* stat:UNDELIV err:001 text:hello$/),
    });
  });
});
