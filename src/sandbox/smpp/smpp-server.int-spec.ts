// Integration spec: the sandbox in-process, driven by the real SDK over real sockets.

import {
  ZH_200,
  call,
  control,
  esme,
  setFault,
  stored,
  waitFor,
  SMPP_CREDS,
  useSandbox,
} from '../testing/sandbox.harness';

useSandbox();

// ---------- SMPP ----------

describe('SMPP SMSC with the smpp package', () => {
  it('binds, submits, and sends a DELIVRD receipt; answers enquire_link and unbind', async () => {
    const { session, receipts, bind } = await esme();
    expect(bind.command_status).toBe(0);
    const resp = await call(session, 'submit_sm', {
      source_addr: 'AlertlineBk',
      destination_addr: '447700900301',
      short_message: 'Card 1234 used for GBP 12.00',
      registered_delivery: 1,
    });
    expect(resp.command_status).toBe(0);
    const id = resp.message_id as string;
    expect(id).toMatch(/^[0-9A-F]{16}$/);
    const receipt = await waitFor(
      () => receipts.find((r) => r.receipted_message_id === id),
      'deliver_sm receipt',
    );
    expect(receipt).toMatchObject({ esm_class: 0x04, message_state: 2, source_addr: '447700900301' });
    const text = (receipt.short_message as { message: string }).message;
    expect(text).toMatch(
      new RegExp(
        `^id:${id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:Card 1234`,
      ),
    );
    expect((await call(session, 'enquire_link')).command).toBe('enquire_link_resp');
    expect((await call(session, 'unbind')).command).toBe('unbind_resp');
    session.destroy();
  });

  it('reassembles a UDH-concatenated UCS-2 message, and counts a message_payload by its parts', async () => {
    const { session } = await esme();
    const parts = [ZH_200.slice(0, 67), ZH_200.slice(67, 134), ZH_200.slice(134)];
    const ids: string[] = [];
    for (const [i, part] of parts.entries()) {
      const resp = await call(session, 'submit_sm', {
        source_addr: 'AlertlineBk',
        destination_addr: '447700900302',
        data_coding: 8,
        short_message: { udh: Buffer.from([0x05, 0x00, 0x03, 0x4d, 3, i + 1]), message: part },
      });
      expect(resp.command_status).toBe(0);
      ids.push(resp.message_id as string);
    }
    expect(await stored('smpp', ids[2])).toMatchObject({
      body: ZH_200,
      segments: 3,
      encoding: 'UCS-2',
      partIds: ids,
    });

    const payload = await call(session, 'submit_sm', {
      destination_addr: '447700900303',
      data_coding: 8,
      message_payload: ZH_200,
    });
    expect(await stored('smpp', payload.message_id as string)).toMatchObject({
      body: ZH_200,
      segments: 3,
      encoding: 'UCS-2',
    });
    session.destroy();
  });

  it('refuses binds, bad passwords, throttles and rejects magic numbers as configured', async () => {
    await setFault('smpp', { smpp: { refuseBind: true } });
    const refused = await esme();
    expect(refused.bind.command_status).toBe(0x0d); // ESME_RBINDFAIL
    refused.session.destroy();
    await control('DELETE', '/sandbox/faults');

    const wrong = await esme({ ...SMPP_CREDS, password: 'nope' });
    expect(wrong.bind.command_status).toBe(0x0e); // ESME_RINVPASWD
    wrong.session.destroy();

    const { session } = await esme();
    const submit = (to: string) => call(session, 'submit_sm', { destination_addr: to, short_message: 'x' });
    expect(await submit('15005550001')).toMatchObject({
      command_status: 0x0b, // ESME_RINVDSTADR, naming the destination as an SMPP 5.0 SMSC may
      additional_status_info_text: 'Invalid destination address 15005550001',
    });
    await setFault('smpp', { smpp: { throttle: true } });
    expect((await submit('447700900304')).command_status).toBe(0x58); // ESME_RTHROTTLED
    session.destroy();
  });
});
