import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { newNotification } from '../../test/support/notification-fixture';
import { timelineTypes } from '../../test/support/db';
import { useSendPath } from '../../test/support/send-path';
import { loadConfig } from '../providers/provider-config';
import { Clock } from '../common/clock';
import { HistoryEvent, NotificationStatus as S } from '../notifications/notification-status';
import { AttemptStatus } from '../notifications/notification.types';
import { ClaimedRow } from '../notifications/notifications.repository';
import { PermanentRecipientError, TransientProviderError } from '../providers/provider.errors';
import { LeaseHeldError, LeaseLostError } from '../queue/queue.errors';
import { LeaseKeeper } from './lease-keeper';
import { SendBatchRepository } from './send-batch.repository';

class TestClock extends Clock {
  t = Date.now();
  override now(): Date {
    return new Date(this.t);
  }
}

const LEASE_MS = 3000;

describe('send leases on PostgreSQL: renewal and fencing', () => {
  const path = useSendPath();

  async function queued(): Promise<string> {
    const id = randomUUID();
    await path.db.transaction((tx) =>
      path.notifications.insertMany([newNotification({ id, receivedAt: new Date() })], tx),
    );
    return id;
  }
  const row = async (id: string) => (await path.notifications.findById(id))!;
  const attemptStatuses = async (id: string) =>
    (await path.attempts.forNotification(id)).map((a) => a.status);

  /** Dispatcher A claimed at `t` and its call is in flight; its lease ran out and B claimed the alert. */
  async function takenOver() {
    const id = await queued();
    const t = Date.now() - 10_000;
    const a = (await path.recorder.claim(id, LEASE_MS, new Date(t)))!;
    const attempt = await path.recorder.startAttempt(a, 'smpp', new Date(t + 1000));
    const b = (await path.recorder.claim(id, LEASE_MS, new Date()))!;
    return { id, a, b, attempt };
  }

  it("refuses a stale holder's SENT write once another dispatcher claimed the alert, and keeps its attempt in flight for the new holder", async () => {
    const { id, a, b, attempt } = await takenOver();
    expect(b).toMatchObject({
      status: S.SENDING,
      has_in_flight: true,
      lease_generation: a.lease_generation + 1,
    });

    // The grouped SENT write, and the one-transaction form (route notes with it): both refused.
    const sent = { messageId: `SM${randomUUID().replace(/-/g, '')}`, segments: 1 };
    await expect(path.recorder.accepted(a, attempt, sent, new Date())).rejects.toBeInstanceOf(LeaseLostError);
    const note = { notificationId: id, at: new Date(), type: HistoryEvent.FAILOVER, detail: 'x' };
    await expect(path.recorder.accepted(a, attempt, sent, new Date(), [note])).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    expect(await row(id)).toMatchObject({ status: S.SENDING, provider_message_id: null });
    expect(await attemptStatuses(id)).toEqual([AttemptStatus.IN_FLIGHT]);
    expect(await timelineTypes(path.db.pool, id)).toEqual(['SENDING']);

    // The new holder resolves the attempt and records SENT under its own claim.
    await path.recorder.accepted(b, attempt, sent, new Date(), [note]);
    expect(await row(id)).toMatchObject({ status: S.SENT, provider_message_id: sent.messageId });
    expect(await attemptStatuses(id)).toEqual([AttemptStatus.ACCEPTED]);
  });

  it('refuses every other write of a stale holder: requeue, failures, expiry, not-sent, a new attempt', async () => {
    const { id, a, attempt } = await takenOver();
    const now = new Date();
    const transient = new TransientProviderError('smpp', 'ESME_RSYSERR', 'system error');
    const permanent = new PermanentRecipientError('smpp', 'ESME_RINVDSTADR', 'bad number');
    const writes: Array<[string, () => Promise<unknown>]> = [
      ['requeue', () => path.recorder.requeue(a, 'TIMEOUT', 'timed out', now)],
      ['attemptFailed', () => path.recorder.attemptFailed(a, attempt, transient, now)],
      ['permanentlyFailed', () => path.recorder.permanentlyFailed(a, attempt, permanent, now)],
      ['expired', () => path.recorder.expired(a, now, 'TIMEOUT')],
      ['notSent', () => path.recorder.notSent(a, attempt, now)],
    ];
    for (const [name, write] of writes) {
      await expect(write().then(() => name)).rejects.toBeInstanceOf(LeaseLostError);
    }
    // No attempt, so no provider call, under a claim that no longer stands.
    await expect(path.recorder.startAttempt(a, 'twilio', now)).rejects.toBeInstanceOf(LeaseHeldError);
    expect(await row(id)).toMatchObject({ status: S.SENDING, last_error_code: null });
    expect(await attemptStatuses(id)).toEqual([AttemptStatus.IN_FLIGHT]);
    expect(await timelineTypes(path.db.pool, id)).toEqual(['SENDING']);
  });

  it('the in-flight attempt renews the lease, so a claim right after the original lease still finds it held', async () => {
    const id = await queued();
    const t = Date.now();
    const a = (await path.recorder.claim(id, LEASE_MS, new Date(t)))!;
    const leaseUntil = new Date(t + 2500 + LEASE_MS);
    await path.recorder.startAttempt(a, 'smpp', new Date(t + 2500), [], leaseUntil);
    expect((await row(id)).lease_until).toEqual(leaseUntil);
    expect(await path.recorder.claim(id, LEASE_MS, new Date(t + LEASE_MS + 500))).toBeNull();
  });

  describe('LeaseKeeper', () => {
    const clock = new TestClock();
    let keeper: LeaseKeeper;
    beforeAll(() => {
      const config = loadConfig({ SEND_LEASE_MS: String(LEASE_MS) });
      keeper = new LeaseKeeper(config, clock, new SendBatchRepository(path.db), pino({ level: 'silent' }));
    });
    afterAll(() => keeper.stop());

    async function held(): Promise<{ id: string; claimed: ClaimedRow }> {
      const id = await queued();
      clock.t = Date.now();
      return { id, claimed: (await path.recorder.claim(id, LEASE_MS, clock.now()))! };
    }

    it('renews the sends that outlived a third of their lease, fenced by their claims', async () => {
      const sends = await Promise.all([held(), held(), held()]);
      const start = clock.t;
      const leases = sends.map((s) => keeper.hold(s.claimed));
      // Fresh leases are not due: a send that ends within a tick costs nothing.
      await keeper.tick();
      for (const s of sends) expect((await row(s.id)).lease_until).toEqual(s.claimed.lease_until);

      // One of them was taken over meanwhile (as if our renewals had failed for a whole lease).
      const [, , lost] = sends;
      await path.db.pool.query(
        `UPDATE notifications SET lease_generation = lease_generation + 1 WHERE id = $1`,
        [lost.id],
      );
      clock.t = start + 1500;
      await keeper.tick();
      const renewedTo = new Date(start + 1500 + LEASE_MS);
      for (const s of sends.slice(0, 2)) expect((await row(s.id)).lease_until).toEqual(renewedTo);
      expect(leases[0].until).toEqual(renewedTo);
      expect((await row(lost.id)).lease_until).toEqual(lost.claimed.lease_until);
      // The taken-over send may start no further call (renewing it at once is refused too); the renewed
      // ones may.
      await expect(leases[2].ensure()).rejects.toBeInstanceOf(LeaseHeldError);
      await expect(leases[0].ensure()).resolves.toBeUndefined();

      // Past the original lease a second claim finds the renewed alerts held.
      clock.t = start + LEASE_MS + 500;
      expect(await path.recorder.claim(sends[0].id, LEASE_MS, clock.now())).toBeNull();
      for (const l of leases) l.release();
    });

    it('renews at once before a provider call when too little lease is left (a slow statement, a stall)', async () => {
      const s = await held();
      const lease = keeper.hold(s.claimed);
      clock.t = s.claimed.lease_until!.getTime() - 100;
      await lease.ensure();
      expect((await row(s.id)).lease_until).toEqual(new Date(clock.t + LEASE_MS));
      // Once the lease has run out it is not brought back: someone may have claimed it meanwhile.
      clock.t += LEASE_MS + 1;
      await expect(lease.ensure()).rejects.toBeInstanceOf(LeaseHeldError);
      lease.release();
    });

    it('stops renewing a send whose step outran every provider bound, so another dispatcher can take over', async () => {
      const s = await held();
      const start = clock.t;
      const lease = keeper.hold(s.claimed);
      // Defaults: 1000 wait + 8000 breaker + 5000 late answer + 1000 grace + 5000 lookup + 5000 slack.
      const stuckMs = 25_000;
      let renewedTo = s.claimed.lease_until;
      for (let at = 1500; at <= stuckMs; at += 1500) {
        clock.t = start + at;
        await keeper.tick();
        renewedTo = new Date(clock.t + LEASE_MS);
        expect((await row(s.id)).lease_until).toEqual(renewedTo);
      }
      // No progress for longer than any step may take: the lease is left to run out.
      clock.t = start + stuckMs + 500;
      await keeper.tick();
      expect((await row(s.id)).lease_until).toEqual(renewedTo);
      clock.t = renewedTo!.getTime() + 1;
      expect(await path.recorder.claim(s.id, LEASE_MS, clock.now())).not.toBeNull();
      lease.release();
    });
  });
});
