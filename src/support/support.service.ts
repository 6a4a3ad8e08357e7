import { Injectable } from '@nestjs/common';
import type { Role } from '../common/principal';
import { CorrectionLinksRepository } from '../corrections/correction-links.repository';
import { besidePlace, DataCipher } from '../crypto/data-cipher';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { EventsRepository } from '../notifications/events.repository';
import { NotificationsRepository } from '../notifications/notifications.repository';
import type { AttemptRow, NotificationRow } from '../notifications/notification.types';
import { decodeCursor, encodeCursor, SearchPosition } from './search.cursor';
import { SEARCH_PAGE_DEFAULT, type SearchQuery } from './search.query';
import { RepliesRepository } from '../replies/replies.repository';
import { SearchFilter, SearchRepository } from './search.repository';
import { attemptView, eventView, notificationView, replyView, reversalLinkView } from './notification.view';

export interface SearchPage {
  items: Array<ReturnType<typeof notificationView>>;
  nextCursor: string | null;
}

/** A cursor that is not this search's (tampered, or from another search): a 400 naming the cursor. */
export class SearchCursorError extends Error {
  override readonly name = 'SearchCursorError';
}

@Injectable()
export class SupportService {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly attempts: AttemptsRepository,
    private readonly events: EventsRepository,
    private readonly searches: SearchRepository,
    private readonly links: CorrectionLinksRepository,
    private readonly replies: RepliesRepository,
    private readonly cipher: DataCipher,
  ) {}

  /** The support view of an alert: its number and text opened here, for this answer only. */
  view(n: NotificationRow, role: Role) {
    return notificationView(n, role, this.cipher.open('notifications', n.id, n));
  }

  /** What the handset showed for one attempt, opened under its alert's data key; null once purged. */
  private handsetText(n: NotificationRow, a: AttemptRow): string | null {
    if (a.handset_text_enc)
      return this.cipher.openBeside(n, besidePlace.handsetText(a.id), a.handset_text_enc);
    return a.handset_text ?? null;
  }

  /** One page of a search; `nextCursor` fetches the next one and is null on the last. */
  async search(query: SearchQuery, role: Role): Promise<SearchPage> {
    if ('transactionId' in query) {
      const n = await this.notifications.findByTransactionId(query.transactionId);
      return { items: n ? [this.view(n, role)] : [], nextCursor: null };
    }
    const filter: SearchFilter =
      'cardholderId' in query
        ? {
            by: 'cardholderId',
            value: query.cardholderId,
            from: new Date(query.from),
            to: new Date(query.to),
          }
        : { by: 'cardLast4', value: query.cardLast4, from: new Date(query.from), to: new Date(query.to) };
    // The search as normalised instants, so `from=...+01:00` and its UTC spelling share cursors.
    const searchKey = `${filter.by}|${filter.value}|${filter.from.toISOString()}|${filter.to.toISOString()}`;
    let after: SearchPosition | null = null;
    if (query.cursor !== undefined) {
      const decoded = decodeCursor(query.cursor, searchKey);
      if ('error' in decoded) throw new SearchCursorError(`cursor: ${decoded.error}`);
      after = decoded;
    }
    const limit = query.limit ?? SEARCH_PAGE_DEFAULT;
    // One row more than asked says whether another page exists without a count.
    const rows = await this.searches.page(filter, after, limit + 1);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((n) => this.view(n, role)),
      nextCursor: rows.length > limit ? encodeCursor({ at: last.position_at, id: last.id }, searchKey) : null,
    };
  }

  async detail(id: string, role: Role) {
    const n = await this.notifications.findById(id);
    if (!n) return null;
    const [attempts, events, corrections, correctionOf, replies] = await Promise.all([
      this.attempts.forNotification(id),
      this.events.forNotification(id),
      n.kind === 'ALERT' ? this.links.ofOriginal(n.transaction_id) : Promise.resolve([]),
      n.kind === 'CORRECTION' ? this.links.ofCorrection(id) : Promise.resolve(null),
      this.replies.forNotification(id),
    ]);
    return {
      ...this.view(n, role),
      attempts: attempts.map((a) => attemptView(a, role, this.handsetText(n, a))),
      timeline: events.map(eventView),
      // Each side of a correction links the other: an alert lists its reversals, a correction names its original.
      corrections: corrections.map(reversalLinkView),
      correctionOf: correctionOf && reversalLinkView(correctionOf),
      // The cardholder's replies to this alert: both times, how it read, the text masked as free text is.
      replies: replies.map((r) => replyView(r, role)),
    };
  }
}
