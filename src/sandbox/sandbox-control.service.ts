import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { ProviderName } from '../config/config.schema';
import { SANDBOX_PROVIDERS } from './sandbox.emulators';
import {
  FaultState,
  latencySchema,
  parseControl,
  parseFault,
  parseProvider,
  RECEIPT_OUTCOMES,
  SandboxFaults,
} from './sandbox.faults';
import { SandboxStore, StoredMessage } from './sandbox.store';
import { EMULATED_INBOUND, EMULATED_RECEIPTS, EmulatedInbound, EmulatedReceipts } from './sandbox-emulator';

const listQuery = z
  .object({
    provider: z.enum(SANDBOX_PROVIDERS as [string, ...string[]]).optional(),
    to: z.string().min(1).optional(),
    since: z
      .string()
      .transform((s, ctx) => {
        const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
        if (Number.isNaN(ms)) {
          ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds' });
          return z.NEVER;
        }
        return ms;
      })
      .optional(),
    limit: z.coerce.number().int().min(1).max(200000).default(1000),
  })
  .strict();

const countQuery = z
  .object({ provider: z.enum(SANDBOX_PROVIDERS as [string, ...string[]]).optional() })
  .strict();

const receiptBody = z
  .object({
    status: z.enum([...RECEIPT_OUTCOMES, 'sent']),
    errorCode: z.union([z.string().min(1).max(16), z.number().int().nonnegative()]).optional(),
  })
  .strict();

const inboundBody = z
  .object({
    from: z.string().regex(/^\+[1-9]\d{5,14}$/, 'must be an E.164 number'),
    to: z.string().min(1).max(32).default('+15005550006'),
    text: z.string().max(1600),
    signature: z.enum(['valid', 'forged', 'none']).default('valid'),
    url: z.string().url().optional(),
  })
  .strict();

export class MessageNotFoundError extends Error {
  override readonly name = 'MessageNotFoundError';
}

/** The control API's logic: faults, what each provider received, receipts on demand. */
@Injectable()
export class SandboxControlService {
  constructor(
    private readonly faults: SandboxFaults,
    private readonly store: SandboxStore,
    @Inject(EMULATED_RECEIPTS) private readonly receipts: ReadonlyMap<ProviderName, EmulatedReceipts>,
    @Inject(EMULATED_INBOUND) private readonly inbound: ReadonlyMap<string, EmulatedInbound>,
  ) {}

  /** A cardholder's text, sent to Alertline now as the vendor would (signed webhook, deliver_sm). */
  sendInbound(provider: unknown, body: unknown): Record<string, unknown> {
    const name = parseProvider(provider, [...this.inbound.keys()]);
    const sms = parseControl(inboundBody, body);
    const { id, sent } = this.inbound.get(name)!.sendInbound(sms);
    return { provider: name, id, sent, signature: sms.signature };
  }

  setFault(provider: unknown, body: unknown): { provider: ProviderName; fault: FaultState } {
    const name = parseProvider(provider, SANDBOX_PROVIDERS);
    const fault = parseFault(body);
    this.faults.set(name, fault);
    return { provider: name, fault };
  }

  getFaults(): ReturnType<SandboxFaults['snapshot']> {
    return this.faults.snapshot();
  }

  resetFaults(): ReturnType<SandboxFaults['snapshot']> {
    this.faults.reset();
    return this.faults.snapshot();
  }

  setLatency(body: unknown): { latencyMs: number } {
    const { latencyMs } = parseControl(latencySchema, body);
    this.faults.setLatency(latencyMs);
    return { latencyMs };
  }

  listMessages(query: unknown): { count: number; messages: Array<Record<string, unknown>> } {
    const q = parseControl(listQuery, query);
    const messages = this.store.list({ provider: q.provider, to: q.to, since: q.since }, q.limit).map(render);
    return { count: messages.length, messages };
  }

  /** `provider` is 'all' when the query names none. */
  countMessages(query: unknown): { provider: ProviderName; count: number } {
    const { provider } = parseControl(countQuery, query);
    return { provider: provider ?? 'all', count: this.store.count(provider) };
  }

  clearMessages(): { cleared: number } {
    const cleared = this.store.count();
    this.store.clear();
    return { cleared };
  }

  /** Sends a receipt for one message (any part id) now, whatever it had: for late and duplicate receipts. */
  pushReceipt(provider: unknown, id: string, body: unknown): Record<string, unknown> {
    const name = parseProvider(provider, SANDBOX_PROVIDERS);
    const { status, errorCode } = parseControl(receiptBody, body);
    const message = this.store.get(name, id);
    if (!message) throw new MessageNotFoundError(`${name} has no message ${id}`);
    const code = errorCode?.toString();
    const sentNow = this.receipts.get(name)?.pushReceipt(message, id, status, code) ?? false;
    return {
      provider: name,
      id,
      status: message.status,
      errorCode: message.errorCode ?? null,
      sent: sentNow,
    };
  }
}

function render(m: StoredMessage): Record<string, unknown> {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    provider: m.provider,
    id: m.id,
    partIds: m.partIds,
    to: m.to,
    from: m.from,
    body: m.body,
    segments: m.segments,
    encoding: m.encoding,
    status: m.status,
    errorCode: m.errorCode ?? null,
    clientRef: m.clientRef ?? null,
    receivedAt: iso(m.receivedAt),
    sentAt: iso(m.sentAt),
    finalAt: iso(m.finalAt),
    statusHistory: m.history.map((h) => ({
      status: h.status,
      at: iso(h.at),
      errorCode: h.errorCode ?? null,
    })),
  };
}
