// Integration spec: the sandbox in-process, driven by the real SDK over real sockets.
import type * as VonageSms from '@vonage/sms';
import { verifyVonageSignature } from '../../providers/vonage/vonage-signature';
import { SMSFailure } from '@vonage/sms';
import {
  VONAGE,
  ZH_200,
  h,
  setFault,
  stored,
  vonageClient,
  waitFor,
  useSandbox,
} from '../testing/sandbox.harness';

useSandbox();

// ---------- Vonage ----------

describe('Vonage SMS API with @vonage/sms', () => {
  const dlrsFor = (ids: string[]) => h.receiver.received.filter((r) => ids.includes(r.params.messageId));

  it('sends, and the DLR arrives signed', async () => {
    const sent = await vonageClient().send({
      to: '447700900201',
      from: 'AlertlineBk',
      text: 'Card 1234 used',
      clientRef: 'attempt-1',
    });
    expect(sent).toMatchObject({
      'message-count': '1',
      messages: [{ status: '0', to: '447700900201', 'client-ref': 'attempt-1' }],
    });
    const id = sent.messages[0].messageId!;
    const [dlr] = await waitFor(() => dlrsFor([id]).length === 1 && dlrsFor([id]), 'DLR');
    expect(dlr.path).toBe('/vonage/dlr');
    expect(dlr.params).toMatchObject({
      msisdn: '447700900201',
      to: 'AlertlineBk',
      status: 'delivered',
      'err-code': '0',
      'client-ref': 'attempt-1',
    });
    expect(verifyVonageSignature(dlr.params, VONAGE.signatureSecret, 'sha256')).toBe(true);
    expect(verifyVonageSignature({ ...dlr.params, status: 'failed' }, VONAGE.signatureSecret, 'sha256')).toBe(
      false,
    );
    expect(
      vonageClient().verifySignature(
        dlr.params.sig,
        dlr.params,
        VONAGE.signatureSecret,
        'SHA256HMAC' as never,
      ),
    ).toBe(true);

    const search = await fetch(
      `${h.sandbox.baseUrl}/search/message?api_key=${VONAGE.apiKey}&api_secret=${VONAGE.apiSecret}&id=${id}`,
    );
    expect(await search.json()).toMatchObject({
      'message-id': id,
      'final-status': 'DELIVRD',
      'client-ref': 'attempt-1',
    });
    const day = new Date().toISOString().slice(0, 10);
    const many = await fetch(
      `${h.sandbox.baseUrl}/search/messages?api_key=${VONAGE.apiKey}&api_secret=${VONAGE.apiSecret}&date=${day}&to=447700900201`,
    );
    const { items } = (await many.json()) as { items: Array<{ 'client-ref'?: string }> };
    expect(items.map((i) => i['client-ref'])).toContain('attempt-1');
  });

  it('splits a 200-character Chinese unicode message into 3 parts, stored as 3 UCS-2 segments', async () => {
    const callback = `${h.receiver.url}/vonage/own-callback`;
    const sent = await vonageClient().send({
      to: '447700900202',
      from: 'AlertlineBk',
      text: ZH_200,
      type: 'unicode' as VonageSms.TypeEnum,
      callback,
    });
    // Vonage sends message-count as a string; the SDK's typing says number.
    expect(sent.messageCount).toBe('3');
    expect(sent.messages).toHaveLength(3);
    const ids = sent.messages.map((m) => m.messageId!);
    const message = await stored('vonage', ids[0]);
    expect(message).toMatchObject({ segments: 3, encoding: 'UCS-2', body: ZH_200, partIds: ids });
    const dlrs = await waitFor(() => dlrsFor(ids).length === 3 && dlrsFor(ids), 'one DLR per part');
    expect(new Set(dlrs.map((d) => d.path))).toEqual(new Set(['/vonage/own-callback']));
  });

  it('throws with status 7 for a barred number, and HTTP 500 when faulted', async () => {
    const failure = await vonageClient()
      .send({ to: '15005550004', from: 'AlertlineBk', text: 'x' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SMSFailure);
    expect((failure as InstanceType<typeof SMSFailure>).getFailedMessages()).toMatchObject([
      { status: '7', to: '15005550004' },
    ]);

    await setFault('vonage', { mode: 'http500' });
    await expect(
      vonageClient().send({ to: '447700900203', from: 'AlertlineBk', text: 'x' }),
    ).rejects.toMatchObject({
      response: { status: 500 },
    });
    await setFault('vonage', { mode: 'http429', errorStyle: 'body' });
    const throttled = await vonageClient()
      .send({ to: '447700900203', from: 'AlertlineBk', text: 'x' })
      .catch((e: InstanceType<typeof SMSFailure>) => e.getFailedMessages());
    expect(throttled).toMatchObject([{ status: '1' }]);
  });
});
