import { randomUUID } from 'node:crypto';
import { testCipher } from '../crypto/testing/test-cipher';
import Bull from 'bull';
import pino from 'pino';
import { testDatabaseService } from '../../test/support/db';
import { newNotification } from '../../test/support/notification-fixture';
import { Clock } from '../common/clock';
import { loadConfig } from '../providers/provider-config';
import { ContactsRepository } from '../contacts/contacts.repository';
import { Database } from '../database/database.service';
import { EventsRepository } from '../notifications/events.repository';
import { HistoryEvent, NotificationStatus as S } from '../notifications/notification-status';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { SmsQueue } from '../queue/sms-queue.service';
import { SmsJobs } from '../queue/sms-jobs';
import { ContactUnusableError, NotResendableError, ResendLimitError } from './resend.errors';
import { ResendRateLimiter } from './resend-rate-limiter';
import { ResendRepository } from './resend.repository';
import { ResendService } from './resend.service';

const supervisor = { id: `key-${randomUUID().slice(0, 8)}`, role: 'supervisor' as const };

describe('supervisor resend on PostgreSQL and Redis', () => {
  const prefix = `alertline-int-${randomUUID()}`;
  const config = loadConfig({ QUEUE_PREFIX: prefix, ALERT_DEADLINE_SECONDS: '600' });
  const ids: string[] = [];
  const cardholders: string[] = [];
  let db: Database;
  let queue: Bull.Queue;
  let notifications: NotificationsRepository;
  let events: EventsRepository;
  let contacts: ContactsRepository;
  let limiter: ResendRateLimiter;
  let service: ResendService;

  beforeAll(async () => {
    db = await testDatabaseService();
    queue = new Bull('sms', { redis: config.get('REDIS_URL'), prefix });
    notifications = new NotificationsRepository(db, testCipher());
    events = new EventsRepository(db);
    contacts = new ContactsRepository(db, testCipher());
    const sms = new SmsQueue(queue);
    limiter = new ResendRateLimiter(config, sms);
    service = new ResendService(
      config,
      new Clock(),
      db,
      new ResendRepository(),
      contacts,
      events,
      limiter,
      new SmsJobs(sms),
      testCipher(),
      pino({ level: 'silent' }),
    );
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    const redis = queue.client;
    const keys = await redis.keys(`${prefix}:resend:*`);
    if (keys.length) await redis.del(...keys);
    await queue.close();
    await db.query(`DELETE FROM notification_events WHERE notification_id = ANY($1)`, [ids]);
    await db.query(`DELETE FROM notifications WHERE id = ANY($1)`, [ids]);
    await db.query(`DELETE FROM contacts WHERE cardholder_id = ANY($1)`, [cardholders]);
    await db.onModuleDestroy();
  });

  async function contact(over: { smsAlerts?: boolean; phoneE164?: string | null } = {}): Promise<string> {
    const cardholderId = `ch-resend-${randomUUID()}`;
    cardholders.push(cardholderId);
    await contacts.upsertMany([
      {
        cardholderId,
        version: 5,
        deleted: false,
        phoneE164: over.phoneE164 === undefined ? '+447700900456' : over.phoneE164,
        phoneInvalidReason: over.phoneE164 === null ? 'NOT_MOBILE' : null,
        smsAlerts: over.smsAlerts ?? true,
        locale: 'en',
        minAmountMinor: null,
      },
    ]);
    return cardholderId;
  }

  /** An alert that ended in `status`, sent to an older number than the contact's current one. */
  async function alert(status: S, cardholderId: string): Promise<string> {
    const id = randomUUID();
    ids.push(id);
    const at = new Date(Date.now() - 3600_000);
    await db.transaction(async (tx) => {
      const fixture = newNotification({
        id,
        cardholderId,
        authorisedAt: at,
        receivedAt: at,
        phoneE164: '+447700900123',
        contactVersion: 4,
        deadlineAt: at,
      });
      await notifications.insertMany([fixture], tx);
      const change = { status, provider: 'twilio', providerMessageId: `SM${id}`, errorCode: '30003', at };
      await notifications.transition(id, [S.QUEUED], change, tx);
    });
    return id;
  }

  it('puts an UNDELIVERED alert back to QUEUED towards the current number, with who asked, replacing the failed job', async () => {
    const id = await alert(S.UNDELIVERED, await contact());
    // A failed job kept under the alert's id (removeOnFail) would make Bull ignore the new one.
    await new SmsQueue(queue).enqueue([id]);
    const old = (await queue.getNextJob())!;
    await old.discard();
    await old.moveToFailed({ message: 'all providers failed' });

    const before = Date.now();
    const row = await service.resend(id, supervisor);

    expect(row).toMatchObject({ status: S.QUEUED, phone_e164: null, contact_version: '5' });
    expect(testCipher().open('notifications', id, row)).toEqual({ phone: '+447700900456', body: 'hello' });
    expect(row).toMatchObject({
      provider: null,
      provider_message_id: null,
      last_error_code: null,
      final_at: null,
    });
    expect(row.deadline_at!.getTime()).toBeGreaterThanOrEqual(before + 600_000);
    const timeline = await events.forNotification(id);
    expect(timeline.at(-1)).toMatchObject({ type: HistoryEvent.RESEND_REQUESTED, status: S.QUEUED });
    expect(timeline.at(-1)!.detail).toContain(`by ${supervisor.id} (supervisor) after UNDELIVERED`);
    const job = (await queue.getJob(id))!;
    expect(await job.getState()).toBe('waiting');
    expect(job.data).toEqual({ notificationId: id });
  });

  it('refuses an alert that is not finally undelivered, saying its state, and changes nothing', async () => {
    const id = await alert(S.DELIVERED, await contact());
    // More refusals than the per-alert budget: refused resends are refunded, so none of them is a 429.
    for (let i = 0; i < 4; i++)
      await expect(service.resend(id, supervisor)).rejects.toThrow(NotResendableError);
    await expect(service.resend(id, supervisor)).rejects.toThrow('the alert is DELIVERED');
    expect((await notifications.findById(id))!.status).toBe(S.DELIVERED);
    expect((await events.forNotification(id)).map((e) => e.type)).not.toContain(
      HistoryEvent.RESEND_REQUESTED,
    );
  });

  it('refuses when the contact can no longer receive alerts', async () => {
    const off = await alert(S.FAILED, await contact({ smsAlerts: false }));
    await expect(service.resend(off, supervisor)).rejects.toThrow(ContactUnusableError);
    const landline = await alert(S.EXPIRED, await contact({ phoneE164: null }));
    await expect(service.resend(landline, supervisor)).rejects.toThrow(
      /not a valid mobile number \(NOT_MOBILE\)/,
    );
    expect((await notifications.findById(landline))!.status).toBe(S.EXPIRED);
  });

  it('allows RESEND_LIMIT_PER_HOUR resends of one alert, then names the limit; refused ones do not count', async () => {
    const id = randomUUID();
    const refunds = [];
    for (let i = 0; i < 2; i++) refunds.push(await limiter.take(supervisor.id, id));
    await refunds[1]();
    await limiter.take(supervisor.id, id);
    await limiter.take(supervisor.id, id);
    const err = await limiter.take(supervisor.id, id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResendLimitError);
    expect(err).toMatchObject({ limit: 'per-alert', max: 3 });
    expect((err as ResendLimitError).retryAfterSeconds).toBeGreaterThan(3500);
    // Another alert has its own budget.
    await expect(limiter.take(supervisor.id, randomUUID())).resolves.toEqual(expect.any(Function));
  });

  it('caps one API key across alerts', async () => {
    const small = new ResendRateLimiter(
      loadConfig({ QUEUE_PREFIX: prefix, RESEND_LIMIT_PER_PRINCIPAL_PER_HOUR: '2' }),
      new SmsQueue(queue),
    );
    const who = `key-${randomUUID().slice(0, 8)}`;
    await small.take(who, randomUUID());
    await small.take(who, randomUUID());
    await expect(small.take(who, randomUUID())).rejects.toMatchObject({ limit: 'per-principal', max: 2 });
  });
});
