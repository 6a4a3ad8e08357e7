import { Inject, Injectable, Optional } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { AppConfig } from '../config/app-config';
import {
  besidePlace,
  DataCipher,
  DataKeyUnknownError,
  DataTamperedError,
  SealScope,
} from '../crypto/data-cipher';
import { RepliesRepository } from '../replies/replies.repository';
import { Resealed, RetentionRepository, WalkRow, WalkState, WalkTarget } from './retention.repository';

export interface WalkReport {
  target: WalkTarget;
  currentKey: string;
  /** Rows moved to the current key (or sealed, if written before encryption at rest) in this run. */
  changed: number;
  unreadable: number;
  /** The walk is done and found nothing to change: `retirable` keys are used by no row. */
  clean: boolean;
  retirable: string[];
}

/**
 * Key rotation without downtime: walks every alert still holding personal data and every contact, in
 * bounded batches, re-wrapping the data keys of rows under an older key with DATA_KEY_CURRENT (and sealing
 * rows written before encryption at rest). Its place is kept in data_key_walks, so a run that stops is
 * resumed by the next (on any dispatcher). A walk that finishes having changed nothing proves the other
 * keys unused by rows received before it started; until DATA_KEY_CURRENT changes it does nothing more.
 */
@Injectable()
export class KeyWalk {
  private readonly batch: number;
  private readonly maxBatches: number;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
    private readonly cipher: DataCipher,
    private readonly repository: RetentionRepository,
    @Inject(LOGGER) private readonly logger: AppLogger,
    // Replies are sealed like alerts; their SQL stays in their repository (absent: no replies to walk).
    @Optional() private readonly replies?: RepliesRepository,
  ) {
    this.batch = config.get('RETENTION_BATCH_SIZE');
    this.maxBatches = config.get('RETENTION_MAX_BATCHES');
  }

  async run(target: WalkTarget): Promise<WalkReport> {
    const current = this.cipher.currentKeyId;
    if (target === 'replies' && !this.replies) {
      return {
        target,
        currentKey: current,
        changed: 0,
        unreadable: 0,
        clean: true,
        retirable: this.retirable(),
      };
    }
    let state = await this.repository.walkState(target);
    const report = { target, currentKey: current, changed: 0, unreadable: 0 };
    const clean = (s: WalkState) =>
      s.finished_at !== null && Number(s.changed) === 0 && Number(s.unreadable) === 0;
    if (state && state.current_key === current && clean(state)) return this.done(report, true);
    // A new key, or the last walk changed something (it may have raced writers still on the old key):
    // walk again until one pass finds nothing.
    if (!state || state.current_key !== current || state.finished_at !== null) {
      state = await this.repository.startWalk(target, current, this.clock.now());
    }
    for (let i = 0; i < this.maxBatches; i++) {
      const rows = await this.next(target, state);
      if (rows.length === 0) {
        const finished = await this.repository.finishWalk(target, this.clock.now());
        const isClean = clean(finished);
        if (isClean) this.logger.info({ target, current, retirable: this.retirable() }, 'key walk clean');
        return this.done(report, isClean);
      }
      const { resealed, unreadable } = this.reseal(target, rows);
      const written = await this.write(target, resealed);
      const last = rows[rows.length - 1];
      state.cursor_at = last.at;
      state.cursor_id = last.row_id;
      await this.repository.advanceWalk(target, { at: last.at, id: last.row_id }, written, unreadable);
      report.changed += written;
      report.unreadable += unreadable;
    }
    return this.done(report, false);
  }

  private async next(target: WalkTarget, state: WalkState): Promise<WalkRow[]> {
    if (target === 'notifications') return this.repository.nextAlerts(state, this.batch);
    if (target === 'contacts') return this.repository.nextContacts(state, this.batch);
    const replies = await this.replies!.nextForKeyWalk(
      state.started_at,
      { at: state.cursor_at, id: state.cursor_id },
      this.batch,
    );
    // Nothing in plain to seal: a reply only ever has its data key re-wrapped.
    const none = { month: null, phone_enc: null, body_enc: null, phone_e164: null, body: null };
    return replies.map((r) => ({ ...r, ...none }));
  }

  private async write(target: WalkTarget, resealed: Resealed[]): Promise<number> {
    if (target === 'notifications') return this.repository.resealAlerts(resealed);
    if (target === 'contacts') return this.repository.resealContacts(resealed);
    return this.replies!.rewrapKeys(resealed);
  }

  private done(report: Omit<WalkReport, 'clean' | 'retirable'>, clean: boolean): WalkReport {
    return { ...report, clean, retirable: clean ? this.retirable() : [] };
  }

  private retirable(): string[] {
    return this.cipher.keyIds.filter((k) => k !== this.cipher.currentKeyId);
  }

  private reseal(target: WalkTarget, rows: WalkRow[]): { resealed: Resealed[]; unreadable: number } {
    const scope: SealScope = target;
    const resealed: Resealed[] = [];
    let unreadable = 0;
    for (const row of rows) {
      try {
        const next = this.resealOne(scope, row);
        if (next) resealed.push(next);
      } catch (err) {
        if (!(err instanceof DataKeyUnknownError || err instanceof DataTamperedError)) throw err;
        // Left as it is (the sender or support will meet the same error, loudly); the walk goes on.
        unreadable++;
        this.logger.error({ target, rowId: row.row_id, err: err.message }, 'key walk: row cannot be opened');
      }
    }
    return { resealed, unreadable };
  }

  private resealOne(scope: SealScope, row: WalkRow): Resealed | null {
    const plain =
      row.phone_e164 !== null ||
      row.body !== null ||
      (row.template_params ?? null) !== null ||
      (row.handset_texts ?? null) !== null ||
      (row.reversal_template ?? null) !== null;
    if (plain) {
      // Written before encryption at rest: sealed now under a new data key (a contact gets its hash too),
      // with what belongs to an alert (its attempts' handset texts, its reversal's template).
      const opened = this.cipher.open(scope, row.row_id, row);
      const sealed = this.cipher.seal(scope, row.row_id, opened);
      const owner = { data_key_id: sealed.keyId, wrapped_key: sealed.wrappedKey };
      const template = row.reversal_template ?? null;
      return {
        paramsEnc: sealed.params,
        handsetTexts: (row.handset_texts ?? []).map((t) => ({
          id: t.id,
          enc: this.cipher.sealBeside(owner, besidePlace.handsetText(t.id), t.text),
        })),
        reversalTemplate: template && {
          id: template.id,
          enc: this.cipher.sealBeside(
            owner,
            besidePlace.reversalTemplate(template.id),
            JSON.stringify(template.template),
          ),
        },
        rowId: row.row_id,
        month: row.month,
        keyId: sealed.keyId,
        wrappedKey: sealed.wrappedKey,
        phoneEnc: sealed.phone,
        bodyEnc: sealed.body,
        phoneHash: opened.phone === null ? null : this.cipher.phoneHash(opened.phone),
        oldWrappedKey: row.wrapped_key,
      };
    }
    if (row.wrapped_key === null || row.data_key_id === null) return null;
    if (row.data_key_id === this.cipher.currentKeyId) return null;
    const { keyId, wrappedKey } = this.cipher.rewrap(row.data_key_id, row.wrapped_key);
    return {
      rowId: row.row_id,
      month: row.month,
      keyId,
      wrappedKey,
      phoneEnc: null,
      bodyEnc: null,
      phoneHash: null,
      oldWrappedKey: row.wrapped_key,
    };
  }
}
