import { Injectable } from '@nestjs/common';
import type { Role } from '../auth/principal';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { EventsRepository } from '../notifications/events.repository';
import { NotificationsRepository } from '../notifications/notifications.repository';
import type { SearchQuery } from './search.query';
import { attemptView, eventView, notificationView } from './notification.view';

@Injectable()
export class SupportService {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly attempts: AttemptsRepository,
    private readonly events: EventsRepository,
  ) {}

  async search(query: SearchQuery, role: Role) {
    if ('transactionId' in query) {
      const n = await this.notifications.findByTransactionId(query.transactionId);
      return { items: n ? [notificationView(n, role)] : [] };
    }
    const rows = await this.notifications.search(
      { ...query, from: new Date(query.from), to: new Date(query.to) },
      query.limit ?? 100,
    );
    return { items: rows.map((n) => notificationView(n, role)) };
  }

  async detail(id: string, role: Role) {
    const n = await this.notifications.findById(id);
    if (!n) return null;
    const [attempts, events] = await Promise.all([
      this.attempts.forNotification(id),
      this.events.forNotification(id),
    ]);
    return {
      ...notificationView(n, role),
      attempts: attempts.map(attemptView),
      timeline: events.map(eventView),
    };
  }
}
