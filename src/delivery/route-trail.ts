import type { Opened } from '../crypto/data-cipher';
import { HistoryEvent } from '../notifications/notification-status';
import { NewEvent, NotificationRow } from '../notifications/notification.types';
import { ProviderError } from '../providers/provider.errors';
import { OutboundSms } from '../providers/provider.interface';
import type { RenderedTemplate, TemplateParam } from '../rendering/template.types';

type Note =
  | HistoryEvent.CIRCUIT_OPEN
  | HistoryEvent.CIRCUIT_HALF_OPEN
  | HistoryEvent.CIRCUIT_CLOSED
  | HistoryEvent.RECOVERED_IN_FLIGHT
  | HistoryEvent.ROUTED_PAST
  | HistoryEvent.ROUTE_TRIAL
  | HistoryEvent.ROUTE_RESTORED;

const MAX_REASON = 300;

/**
 * What happened on one alert's way through the provider route, for its history: breaker changes that
 * affected it, failovers, and why each provider did not take it. Notes are handed to the next durable
 * write (SendRecorder) so they cost no transaction of their own.
 */
export class RouteTrail {
  private notes: NewEvent[] = [];
  private readonly failures: Array<{ provider: string; err: ProviderError }> = [];

  constructor(
    private readonly notificationId: string,
    private readonly now: () => Date,
  ) {}

  note(type: Note, provider: string, detail: string): void {
    this.notes.push({ notificationId: this.notificationId, at: this.now(), type, provider, detail });
  }

  /** The provider did not take the alert (skipped, failed, throttled); the next one tried is a failover. */
  failed(provider: string, err: ProviderError): void {
    this.failures.push({ provider, err });
  }

  /** Called just before a provider is tried: a FAILOVER note when an earlier provider did not take it. */
  trying(provider: string): void {
    const last = this.failures[this.failures.length - 1];
    if (!last) return;
    this.notes.push({
      notificationId: this.notificationId,
      at: this.now(),
      type: HistoryEvent.FAILOVER,
      provider,
      errorCode: last.err.code,
      detail: `from ${last.provider} (${last.err.code}) to ${provider}`,
    });
  }

  get lastFailure(): ProviderError | undefined {
    return this.failures[this.failures.length - 1]?.err;
  }

  get allRateLimited(): boolean {
    return this.failures.length > 0 && this.failures.every((f) => f.err.kind === 'rate-limited');
  }

  /** "twilio CIRCUIT_OPEN; vonage HTTP_500: Internal Error": why this round found no provider. */
  reason(): string {
    if (this.failures.length === 0) return 'no provider available';
    return this.failures
      .map((f) => `${f.provider} ${f.err.code}: ${f.err.message}`)
      .join('; ')
      .slice(0, MAX_REASON);
  }

  take(): NewEvent[] {
    const taken = this.notes;
    this.notes = [];
    return taken;
  }
}

/** The message as the adapters see it, for one attempt: the number and text opened just for the call. */
export function outboundFor(n: NotificationRow, opened: Opened, attemptId: string): OutboundSms {
  return {
    attemptId,
    notificationId: n.id,
    to: opened.phone ?? '',
    body: opened.body ?? '',
    encoding: n.encoding === 'UCS-2' ? 'UCS-2' : n.encoding === 'GSM-7' ? 'GSM-7' : undefined,
    template: templateOf(n, opened),
  };
}

/**
 * The alert's template as ingest stored it, its params opened with the number and text; undefined for
 * alerts rendered before templates were kept (and for purged ones).
 */
function templateOf(n: NotificationRow, opened: Opened): RenderedTemplate | undefined {
  if (!n.template_key || !opened.params) return undefined;
  const locale = n.locale === 'zh-CN' ? 'zh-CN' : 'en';
  return { key: n.template_key, locale, params: JSON.parse(opened.params) as TemplateParam[] };
}
