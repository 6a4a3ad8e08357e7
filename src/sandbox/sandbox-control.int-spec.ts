// Integration spec: the sandbox's control API, in-process, over real sockets.
import { control, twilioClient, useSandbox } from './testing/sandbox.harness';

useSandbox();

// ---------- control API ----------

describe('control API', () => {
  it('names the bad field in a 400', async () => {
    const res = await control('PUT', '/sandbox/faults/twilio', { mode: 'explode' });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/^mode: /);
    expect((await control('PUT', '/sandbox/faults/pigeon', {})).status).toBe(400);
    expect((await control('GET', '/sandbox/messages?since=yesterday')).json.message).toMatch(/^since: /);
    expect(
      (await control('POST', '/sandbox/messages/twilio/SMnope/receipt', { status: 'delivered' })).status,
    ).toBe(404);
  });

  it('counts and clears what the providers received', async () => {
    await twilioClient().messages.create({ to: '+447400123456', from: '+15005550006', body: 'count me' });
    expect((await control('GET', '/sandbox/messages/count?provider=twilio')).json.count).toBe(1);
    expect((await control('GET', '/sandbox/messages/count?provider=smpp')).json.count).toBe(0);
    expect((await control('DELETE', '/sandbox/messages')).status).toBe(200);
    expect((await control('GET', '/sandbox/messages/count')).json).toEqual({ provider: 'all', count: 0 });
  });
});
