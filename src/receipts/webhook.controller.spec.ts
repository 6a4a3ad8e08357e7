import { ExecutionContext, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { InboundWebhook, ProviderDefinition, ReceiptWebhook } from '../providers/provider-definition';
import { InboundSms, ParsedReceipt, ProviderMessageStatus } from '../providers/provider.interface';
import type { ReceiptIntake } from './receipt-intake';
import { ReceiptWebhookGuard } from './receipt-webhook.guard';
import { ReceiptWebhooks } from './receipt-webhooks';
import { WebhookController } from './webhook.controller';
import type { WebhookRefusal } from './webhook-refusal';

// The vendor-neutral route's own logic: which webhook a URL names, and what it answers. The vendors'
// authentication is specified beside each vendor, the applying of receipts in receipts.int-spec.ts.
const receipt: ParsedReceipt = {
  providerMessageId: 'M1',
  status: ProviderMessageStatus.DELIVERED,
  providerStatus: 'DELIVRD',
};
const handler: ReceiptWebhook = { authenticate: () => null, parse: () => [receipt, receipt] };
const sms: InboundSms = {
  providerMessageId: 'SM1',
  from: '+447700900123',
  to: '+15005550006',
  text: 'NOT ME',
};
const inboundHandler: InboundWebhook = { authenticate: () => null, parse: () => [sms] };
const acme = {
  name: 'acme',
  receiptsPerPart: false,
  webhooks: {
    report: { handler: class {}, openapi: {}, reply: { status: 200, body: { code: 0 } } },
    plain: { handler: class {}, openapi: {} },
    inbound: {
      kind: 'inbound',
      handler: class {},
      openapi: {},
      reply: { status: 200, body: '<Response></Response>', contentType: 'text/xml' },
    },
  },
} as unknown as ProviderDefinition;
const webhooks = new ReceiptWebhooks(
  Object.entries(acme.webhooks).map(([hook, definition]) => ({
    provider: acme,
    hook,
    definition,
    handler: definition.kind === 'inbound' ? inboundHandler : handler,
  })),
);

function post(provider: string, hook: string) {
  const accepted: Array<[string, readonly ParsedReceipt[]]> = [];
  const intake = {
    accept: (p: ProviderDefinition, r: readonly ParsedReceipt[]) => {
      accepted.push([p.name, r]);
      return Promise.resolve();
    },
  } as unknown as ReceiptIntake;
  const inbound: Array<[string, readonly InboundSms[]]> = [];
  const sink = {
    accept: (p: string, m: readonly InboundSms[]) => {
      inbound.push([p, m]);
      return Promise.resolve();
    },
  };
  const answer: { status?: number; body?: unknown; ended?: boolean; type?: string } = {};
  const res = {
    status: (s: number) => ((answer.status = s), res),
    type: (t: string) => ((answer.type = t), res),
    send: (b: unknown) => (answer.body = b),
    json: (b: unknown) => (answer.body = b),
    end: () => (answer.ended = true),
  } as unknown as Response;
  const req = { params: { provider, hook }, path: `/webhooks/${provider}/${hook}` } as unknown as Request;
  const run = () => new WebhookController(webhooks, intake, sink).receive(req, res);
  const guard = () =>
    new ReceiptWebhookGuard(webhooks, { refuse: jest.fn() } as unknown as WebhookRefusal).canActivate({
      switchToHttp: () => ({ getRequest: () => req }),
    } as unknown as ExecutionContext);
  return { run, guard, accepted, inbound, answer };
}

describe('the receipt webhook route', () => {
  it('hands every parsed receipt to the intake under its provider, then answers 204', async () => {
    const call = post('acme', 'plain');
    await expect(call.guard()).resolves.toBe(true);
    await call.run();
    expect(call.accepted).toEqual([['acme', [receipt, receipt]]]);
    expect(call.answer).toEqual({ status: 204, ended: true });
  });

  it('answers what the vendor expects when its webhook sets a reply', async () => {
    const call = post('acme', 'report');
    await call.run();
    expect(call.answer).toEqual({ status: 200, body: { code: 0 } });
  });

  it("hands an inbound hook's texts to the replies sink, not the receipts, and sends its typed reply", async () => {
    const call = post('acme', 'inbound');
    await expect(call.guard()).resolves.toBe(true);
    await call.run();
    expect(call.inbound).toEqual([['acme', [sms]]]);
    expect(call.accepted).toEqual([]);
    expect(call.answer).toEqual({ status: 200, type: 'text/xml', body: '<Response></Response>' });
  });

  it('is 404 for a provider or hook the registry does not list, before any authentication', async () => {
    for (const [provider, hook] of [
      ['pigeon', 'report'],
      ['acme', 'status'],
      ['acme', 'constructor'],
      ['__proto__', 'report'],
      ['', ''],
    ]) {
      const call = post(provider, hook);
      await expect(call.guard()).rejects.toThrow(NotFoundException);
      await expect(call.run()).rejects.toThrow(NotFoundException);
      expect(call.accepted).toEqual([]);
    }
  });
});
