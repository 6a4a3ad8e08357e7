import type { ProviderName } from '../config/config.schema';
import type { ReceiptOutcome } from './sandbox.faults';

export interface StatusChange {
  /** The provider's own status word: Twilio `sent`, Vonage `delivered`, SMPP `DELIVRD`. */
  status: string;
  at: number;
  errorCode?: string;
}

export interface NewMessage {
  provider: ProviderName;
  /** The provider's message id (the first part's for Vonage/SMPP multi-part messages). */
  id: string;
  /** One id per part where the provider gives one per part (Vonage, SMPP UDH concatenation). */
  partIds: string[];
  to: string;
  from: string;
  body: string;
  segments: number;
  encoding: string;
  status: string;
  /** Our attempt reference where the protocol carries one (Vonage client-ref). */
  clientRef?: string;
  receivedAt: number;
  /** Twilio StatusCallback or Vonage callback: where receipts go. */
  callbackUrl?: string;
  /** The account that sent it: Twilio AccountSid, Vonage api_key, SMPP system_id. */
  account: string;
  messagingServiceSid?: string;
  /** The receipt the fault state asked for when the message was accepted. */
  plannedReceipt: ReceiptOutcome | 'none';
  plannedErrorCode?: string;
}

/** A status change, linked to the one before: no per-message array (see the memory note below). */
class ChangeNode {
  constructor(
    readonly status: string,
    readonly at: number,
    readonly errorCode: string | undefined,
    readonly prev: ChangeNode | undefined,
  ) {}
}

// Memory: the store holds up to SANDBOX_STORE_LIMIT (200k) messages under the benchmark. Every field is
// assigned in the constructor (one fixed object shape; an object spread measured 3x larger), the history
// is a linked list rather than an array, a recipient's messages are chained through the messages
// themselves, and repeated strings (sender, callback URL) are interned: ~2.1 KB per message down to <1 KB.
export class StoredMessage {
  readonly provider: ProviderName;
  readonly id: string;
  readonly partIds: string[];
  readonly to: string;
  readonly from: string;
  readonly body: string;
  readonly segments: number;
  readonly encoding: string;
  status: string;
  errorCode: string | undefined = undefined;
  readonly clientRef: string | undefined;
  readonly receivedAt: number;
  sentAt: number | undefined = undefined;
  finalAt: number | undefined = undefined;
  /** Time of the latest status change. */
  updatedAt: number;
  readonly callbackUrl: string | undefined;
  readonly account: string;
  readonly messagingServiceSid: string | undefined;
  readonly plannedReceipt: ReceiptOutcome | 'none';
  readonly plannedErrorCode: string | undefined;
  /** @internal newest status change */
  last: ChangeNode;
  /** @internal the same recipient's previous and next message */
  prevSameTo: StoredMessage | undefined = undefined;
  nextSameTo: StoredMessage | undefined = undefined;

  constructor(
    /** Insertion order; list cursors (Twilio PageToken) point at it. */
    readonly seq: number,
    m: NewMessage,
    intern: (s: string) => string,
  ) {
    this.provider = m.provider;
    this.id = m.id;
    this.partIds = m.partIds;
    this.to = m.to;
    this.from = intern(m.from);
    this.body = m.body;
    this.segments = m.segments;
    this.encoding = m.encoding;
    this.status = m.status;
    this.clientRef = m.clientRef;
    this.receivedAt = m.receivedAt;
    this.updatedAt = m.receivedAt;
    this.callbackUrl = m.callbackUrl === undefined ? undefined : intern(m.callbackUrl);
    this.account = intern(m.account);
    this.messagingServiceSid = m.messagingServiceSid;
    this.plannedReceipt = m.plannedReceipt;
    this.plannedErrorCode = m.plannedErrorCode;
    this.last = new ChangeNode(m.status, m.receivedAt, undefined, undefined);
  }

  /** Oldest first. Built on demand (control API, rendering), not stored. */
  get history(): StatusChange[] {
    const out: StatusChange[] = [];
    for (let c: ChangeNode | undefined = this.last; c; c = c.prev) {
      out.push(
        c.errorCode === undefined
          ? { status: c.status, at: c.at }
          : { status: c.status, at: c.at, errorCode: c.errorCode },
      );
    }
    return out.reverse();
  }
}

export interface MessageFilter {
  provider?: ProviderName;
  to?: string;
  since?: number;
}

/** Digits only: `+15005550006`, `15005550006` and `1 500 555 0006` are one recipient. */
export function phoneKey(number: string): string {
  return number.replace(/\D/g, '');
}

const INTERN_LIMIT = 10_000;

/**
 * What each provider received, in memory, oldest evicted first once `limit` is reached. Inserting and
 * looking up by id are O(1) (the benchmark's hot path); per-recipient chains keep Twilio's list-by-To and
 * Vonage's search cheap. Plain class (provided by SandboxModule) so it is testable without Nest.
 */
export class SandboxStore {
  private readonly ring: Array<StoredMessage | undefined>;
  private head = 0; // index of the oldest message
  private size = 0;
  private nextSeq = 1;
  private readonly byId = new Map<ProviderName, Map<string, StoredMessage>>();
  /** The newest message per recipient; older ones hang off `prevSameTo`. */
  private readonly latestByTo = new Map<string, StoredMessage>();
  private readonly counts = new Map<ProviderName, number>();
  private readonly interned = new Map<string, string>();

  constructor(private readonly limit: number) {
    this.ring = new Array(limit);
  }

  add(input: NewMessage): StoredMessage {
    if (this.size === this.limit) this.evictOldest();
    const message = new StoredMessage(this.nextSeq++, input, this.intern);
    this.ring[(this.head + this.size) % this.limit] = message;
    this.size++;
    const ids = this.idsOf(message.provider);
    for (const id of message.partIds) ids.set(id, message);
    const key = phoneKey(message.to);
    const previous = this.latestByTo.get(key);
    if (previous) {
      previous.nextSameTo = message;
      message.prevSameTo = previous;
    }
    this.latestByTo.set(key, message);
    this.counts.set(message.provider, (this.counts.get(message.provider) ?? 0) + 1);
    return message;
  }

  /** By the message id or any of its part ids. */
  get(provider: ProviderName, id: string): StoredMessage | undefined {
    return this.byId.get(provider)?.get(id);
  }

  setStatus(message: StoredMessage, status: string, at: number, errorCode?: string): void {
    message.status = status;
    message.errorCode = errorCode;
    message.updatedAt = at;
    message.last = new ChangeNode(status, at, errorCode, message.last);
  }

  count(provider?: ProviderName): number {
    if (!provider) return this.size;
    return this.counts.get(provider) ?? 0;
  }

  /** Oldest first; `limit` keeps the newest matches. */
  list(filter: MessageFilter, limit: number): StoredMessage[] {
    const matches = (m: StoredMessage) =>
      (!filter.provider || m.provider === filter.provider) &&
      (filter.since === undefined || m.receivedAt >= filter.since);
    const out: StoredMessage[] = [];
    if (filter.to !== undefined) {
      for (let m = this.latestByTo.get(phoneKey(filter.to)); m && out.length < limit; m = m.prevSameTo) {
        if (matches(m)) out.push(m);
      }
      return out.reverse();
    }
    for (let i = this.size - 1; i >= 0 && out.length < limit; i--) {
      const m = this.ring[(this.head + i) % this.limit]!;
      if (matches(m)) out.push(m);
    }
    return out.reverse();
  }

  /**
   * Newest first, for provider list APIs: messages of `provider` (to `to` if given) older than the cursor
   * `beforeSeq`, accepted by `predicate`, at most `limit`.
   */
  newestFirst(
    provider: ProviderName,
    opts: { to?: string; beforeSeq?: number; limit: number; predicate?: (m: StoredMessage) => boolean },
  ): StoredMessage[] {
    const out: StoredMessage[] = [];
    const take = (m: StoredMessage) =>
      m.provider === provider &&
      (opts.beforeSeq === undefined || m.seq < opts.beforeSeq) &&
      (!opts.predicate || opts.predicate(m));
    if (opts.to !== undefined) {
      for (let m = this.latestByTo.get(phoneKey(opts.to)); m && out.length < opts.limit; m = m.prevSameTo) {
        if (take(m)) out.push(m);
      }
      return out;
    }
    for (let i = this.size - 1; i >= 0 && out.length < opts.limit; i--) {
      const m = this.ring[(this.head + i) % this.limit]!;
      if (take(m)) out.push(m);
    }
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.size = 0;
    this.byId.clear();
    this.latestByTo.clear();
    this.counts.clear();
    this.interned.clear();
  }

  private evictOldest(): void {
    const oldest = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.limit;
    this.size--;
    const ids = this.idsOf(oldest.provider);
    for (const id of oldest.partIds) ids.delete(id);
    // The oldest message overall is the oldest of its recipient's chain: unlink it from the next one.
    if (oldest.nextSameTo) oldest.nextSameTo.prevSameTo = undefined;
    else this.latestByTo.delete(phoneKey(oldest.to));
    oldest.nextSameTo = undefined;
    this.counts.set(oldest.provider, (this.counts.get(oldest.provider) ?? 1) - 1);
  }

  private idsOf(provider: ProviderName): Map<string, StoredMessage> {
    let ids = this.byId.get(provider);
    if (!ids) this.byId.set(provider, (ids = new Map()));
    return ids;
  }

  /** One copy of strings most messages share (sender, callback URL, account). */
  private readonly intern = (s: string): string => {
    const known = this.interned.get(s);
    if (known !== undefined) return known;
    if (this.interned.size >= INTERN_LIMIT) this.interned.clear();
    this.interned.set(s, s);
    return s;
  };
}
