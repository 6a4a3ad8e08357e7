import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service';
import { WriteBatcher } from '../database/write-batcher';
import { WriteBatches } from '../database/write-batches';
import { AttemptRow } from '../notifications/notification.types';
import { ClaimedRow } from '../notifications/notifications.repository';
import { messageLockKey, ReceiptsRepository } from '../receipts/receipts.repository';
import { ReceiptsService } from '../receipts/receipts.service';
import { AcceptRequest, AttemptRequest, ClaimRequest, SendBatchRepository } from './send-batch.repository';
import { newTimeId } from '../notifications/alert-id';

/**
 * `sent`: the alert moved to SENT; `recorded`: only the attempt was (another claim had already ended the
 * alert); `lease-lost`: nothing was written, the alert's new holder decides about this attempt.
 */
export type AcceptOutcome = 'sent' | 'recorded' | 'lease-lost';

/**
 * The claim, the in-flight attempt and the SENT write of every job the dispatcher is working on are
 * grouped into shared statements (see WriteBatcher): with 200 jobs at once that is a few statements and
 * commits per flush instead of a dozen round trips per alert. Each item still gets its own answer.
 */
@Injectable()
export class SendBatches {
  private readonly claims: WriteBatcher<ClaimRequest, ClaimedRow | null>;
  private readonly starts: WriteBatcher<AttemptRequest, AttemptRow | null>;
  private readonly accepts: WriteBatcher<AcceptRequest, AcceptOutcome>;

  constructor(
    batches: WriteBatches,
    private readonly db: Database,
    private readonly repo: SendBatchRepository,
    private readonly receipts: ReceiptsService,
    private readonly locks: ReceiptsRepository,
  ) {
    this.claims = batches.create('claim', (reqs: readonly ClaimRequest[]) => this.claimFlush(reqs));
    this.starts = batches.create('attempt', (reqs: readonly AttemptRequest[]) => this.startFlush(reqs));
    this.accepts = batches.create('sent', (reqs: readonly AcceptRequest[]) => this.acceptFlush(reqs));
  }

  claim(req: ClaimRequest): Promise<ClaimedRow | null> {
    return this.claims.submit(req);
  }

  /** Null when the claim no longer stands: then no attempt is written and no provider may be called. */
  startAttempt(req: Omit<AttemptRequest, 'id'>): Promise<AttemptRow | null> {
    return this.starts.submit({ id: newTimeId(), ...req });
  }

  accepted(req: AcceptRequest): Promise<AcceptOutcome> {
    return this.accepts.submit(req);
  }

  private async claimFlush(reqs: readonly ClaimRequest[]): Promise<Array<ClaimedRow | null>> {
    // Bull can hand one job out twice: only the first of a repeated id may have the row.
    const first = new Map<string, number>();
    reqs.forEach((r, i) => {
      if (!first.has(r.id)) first.set(r.id, i);
    });
    const unique = [...first.values()].map((i) => reqs[i]);
    const rows = new Map((await this.repo.claimMany(unique)).map((row) => [row.id, row]));
    return reqs.map((r, i) => (first.get(r.id) === i ? (rows.get(r.id) ?? null) : null));
  }

  private async startFlush(reqs: readonly AttemptRequest[]): Promise<Array<AttemptRow | null>> {
    const rows = new Map((await this.repo.startMany(reqs)).map((row) => [row.id, row]));
    return reqs.map((r) => rows.get(r.id) ?? null);
  }

  private acceptFlush(reqs: readonly AcceptRequest[]): Promise<AcceptOutcome[]> {
    return this.db.transaction(async (tx) => {
      await this.locks.lockMessages(
        reqs.map((r) => messageLockKey(r.provider, r.messageId)),
        tx,
      );
      const rows = new Map((await this.repo.acceptMany(reqs, tx)).map((row) => [row.attempt_id, row]));
      for (const r of reqs) {
        // A receipt that beat our SENT write waited in the receipts table; it is applied now, under the lock.
        const row = rows.get(r.attemptId);
        if (row?.recorded && row.has_pending) {
          await this.receipts.applyPending(r.provider, r.messageId, r.notificationId, tx);
        }
      }
      return reqs.map((r) => {
        const row = rows.get(r.attemptId);
        return !row?.recorded ? 'lease-lost' : row.moved ? 'sent' : 'recorded';
      });
    });
  }
}
