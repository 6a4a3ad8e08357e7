import { z } from 'zod';
import type { ProviderName } from '../config/config.schema';
import { PERMANENT_REASONS } from './magic-numbers';

export const FAULT_MODES = ['none', 'http500', 'http429', 'timeout', 'slow', 'refuse'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** What the simulated carrier reports for an accepted message. */
export const RECEIPT_OUTCOMES = ['delivered', 'undelivered', 'failed', 'expired', 'rejected'] as const;
export type ReceiptOutcome = (typeof RECEIPT_OUTCOMES)[number];

// PUT replaces a provider's whole fault state: what a body leaves out goes back to its default, so a test
// never inherits half of an earlier fault.
export const faultSchema = z
  .object({
    mode: z.enum(FAULT_MODES).default('none'),
    latencyMs: z.number().int().min(0).max(600000).optional(),
    /**
     * Which requests a 'slow' fault delays: `all`, or only `send`s (lookups answer at once). A send held
     * past the client's timeout is then taken (and shown to lookups) after the client gave up while its
     * lookups answer promptly: the order of events behind a duplicate SMS (docs/providers.md).
     */
    slowRequests: z.enum(['all', 'send']).default('all'),
    receipt: z.enum([...RECEIPT_OUTCOMES, 'none']).default('delivered'),
    receiptErrorCode: z.union([z.string().min(1).max(16), z.number().int().nonnegative()]).optional(),
    /**
     * The share of accepted messages that get `receipt` (with `receiptErrorCode`); the rest are delivered.
     * "Accepts everything, delivers 30%": `{ receipt: 'undelivered', receiptPercent: 70 }`; `receipt: 'none'`
     * leaves that share without any receipt. Decided per message, for every vendor (get() below).
     */
    receiptPercent: z.number().min(0).max(100).default(100),
    /**
     * How an HTTP provider signals http500/http429: `http` (the status code) or `body` (Vonage's own way,
     * HTTP 200 with messages[].status "5" or "1"). Twilio has only `http`.
     */
    errorStyle: z.enum(['http', 'body']).default('http'),
    /**
     * Recipients this provider refuses as permanently undeliverable, for numbers real enough to pass
     * Alertline's own mobile check: a bare number is answered as `+15005550009` ("not a mobile"), one given
     * as `{ number, reason }` as the magic number for that reason (magic-numbers.ts), in the vendor's words.
     */
    permanentNumbers: z
      .array(
        z.union([
          z.string().min(1).max(32),
          z.object({ number: z.string().min(1).max(32), reason: z.enum(PERMANENT_REASONS) }).strict(),
        ]),
      )
      .max(1000)
      .optional(),
    smpp: z
      .object({
        refuseBind: z.boolean().default(false),
        dropSession: z.boolean().default(false),
        throttle: z.boolean().default(false),
      })
      .strict()
      .default({ refuseBind: false, dropSession: false, throttle: false }),
  })
  .strict()
  .refine((f) => f.mode !== 'slow' || f.latencyMs !== undefined, {
    message: "latencyMs is required when mode is 'slow'",
    path: ['latencyMs'],
  });

export type FaultState = z.infer<typeof faultSchema>;

/** What a provider request does: submits a message, or asks about messages (lookup, status query). */
export type SandboxRequest = 'send' | 'lookup';

export const latencySchema = z.object({ latencyMs: z.number().int().min(0).max(600000) }).strict();

export class ControlInputError extends Error {
  override readonly name = 'ControlInputError';
}

/** Parses control input; the error message names each bad field, e.g. `mode: Invalid option: ...`. */
export function parseControl<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new ControlInputError(
    result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`).join('; '),
  );
}

/** One of the emulated providers' names (SANDBOX_EMULATORS), or a ControlInputError. */
export function parseProvider(value: unknown, providers: readonly ProviderName[]): ProviderName {
  const provider = z.enum(providers as [ProviderName, ...ProviderName[]]);
  return parseControl(z.object({ provider }), { provider: value }).provider;
}

export function parseFault(input: unknown): FaultState {
  return parseControl(faultSchema, input);
}

export const NO_FAULT: FaultState = Object.freeze(parseFault({}));

/**
 * Fault state per provider plus the global latency, read on every provider request (an O(1) lookup).
 * Plain class (provided by SandboxModule's factory) so its spec runs without Nest.
 */
export class SandboxFaults {
  private readonly faults = new Map<ProviderName, FaultState>();
  private readonly listeners: Array<(provider: ProviderName, fault: FaultState) => void> = [];

  private globalLatencyMs: number;

  /**
   * `configuredLatencyMs` is SANDBOX_LATENCY_MS; a reset returns to it, so a test cannot undo the benchmark's.
   * `providers`: the emulated providers' names (SANDBOX_EMULATORS); `random` decides which messages a
   * share-limited receipt fault hits.
   */
  constructor(
    private readonly configuredLatencyMs: number,
    private readonly providers: readonly ProviderName[],
    private readonly random: () => number = Math.random,
  ) {
    this.globalLatencyMs = configuredLatencyMs;
  }

  /**
   * The fault as it applies to one request. With `receiptPercent` below 100, each call decides on its own
   * whether this message gets the fault's receipt or is delivered: every vendor's emulator reads `receipt`
   * from the get() it makes for the message it stores, so the share holds per message for all of them.
   */
  get(provider: ProviderName): FaultState {
    const fault = this.faults.get(provider) ?? NO_FAULT;
    if (fault.receiptPercent >= 100 || fault.receipt === 'delivered') return fault;
    if (this.random() * 100 < fault.receiptPercent) return fault;
    return { ...fault, receipt: 'delivered', receiptErrorCode: undefined };
  }

  set(provider: ProviderName, fault: FaultState): void {
    if (fault.mode === 'none' && isDefaultFault(fault)) this.faults.delete(provider);
    else this.faults.set(provider, fault);
    for (const listener of this.listeners) listener(provider, fault);
  }

  reset(): void {
    for (const provider of this.providers) this.set(provider, NO_FAULT);
    this.globalLatencyMs = this.configuredLatencyMs;
  }

  /** Latency added before answering: the global setting plus a 'slow' provider's own (if it applies). */
  latencyFor(provider: ProviderName, request: SandboxRequest = 'send'): number {
    const fault = this.get(provider);
    const slow = fault.mode === 'slow' && (fault.slowRequests === 'all' || request === 'send');
    return this.globalLatencyMs + (slow ? (fault.latencyMs ?? 0) : 0);
  }

  get latencyMs(): number {
    return this.globalLatencyMs;
  }

  setLatency(ms: number): void {
    this.globalLatencyMs = ms;
  }

  /** The SMSC listens, to drop live sessions the moment 'refuse' is set. */
  onChange(listener: (provider: ProviderName, fault: FaultState) => void): void {
    this.listeners.push(listener);
  }

  snapshot(): { latencyMs: number; providers: Record<ProviderName, FaultState> } {
    const providers = {} as Record<ProviderName, FaultState>;
    for (const provider of this.providers) providers[provider] = this.faults.get(provider) ?? NO_FAULT;
    return { latencyMs: this.globalLatencyMs, providers };
  }
}

function isDefaultFault(f: FaultState): boolean {
  return (
    f.receipt === 'delivered' &&
    f.receiptErrorCode === undefined &&
    f.receiptPercent === 100 &&
    f.latencyMs === undefined &&
    f.slowRequests === 'all' &&
    f.errorStyle === 'http' &&
    !f.permanentNumbers?.length &&
    !f.smpp.refuseBind &&
    !f.smpp.dropSession &&
    !f.smpp.throttle
  );
}
