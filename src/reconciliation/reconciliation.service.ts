import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { Database } from '../database/database.service';
import {
  CsvLimits,
  ReconciliationInputError,
  ReconciliationTimeoutError,
  ReconciliationTooLargeError,
} from './reconciliation.input';
import { ReconciliationReport, ReportBuilder } from './reconciliation.report';
import {
  isStatementTimeout,
  ReconciliationRepository,
  ReconciliationWindow,
} from './reconciliation.repository';

// Ids per round trip: large enough that 100,000 ids take 20 queries, small enough to keep memory flat.
export const RECONCILIATION_CHUNK = 5000;
const MAX_TRANSACTION_ID_LENGTH = 64;
const DAY_MS = 86_400_000;

/** The bank's list: opened by the service with the limits it must respect (a CSV reader honours them). */
export type TransactionIdSource = (limits: CsvLimits) => AsyncIterable<string> | Iterable<string>;

/** Compares the bank's own list of authorised transactions with what Alertline recorded. */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly db: Database,
    private readonly repository: ReconciliationRepository,
  ) {}

  /**
   * Bounded: the window (RECONCILIATION_MAX_WINDOW_DAYS), the rows (RECONCILIATION_MAX_ROWS), the whole
   * run (RECONCILIATION_TIMEOUT_MS) and each query (RECONCILIATION_STATEMENT_TIMEOUT_MS). Over a limit the
   * transaction rolls back and a typed error names the limit.
   */
  async reconcile(
    source: TransactionIdSource,
    window: ReconciliationWindow,
    listLimit = this.config.get('RECONCILIATION_LIST_LIMIT'),
  ): Promise<ReconciliationReport> {
    this.checkWindow(window);
    const started = process.hrtime.bigint();
    const timeoutMs = this.config.get('RECONCILIATION_TIMEOUT_MS');
    const signal = AbortSignal.timeout(timeoutMs);
    const timeoutError = () =>
      new ReconciliationTimeoutError(
        `the reconciliation ran past ${timeoutMs} ms (RECONCILIATION_TIMEOUT_MS); send a shorter list or window`,
      );
    const maxRows = this.config.get('RECONCILIATION_MAX_ROWS');
    const overdueBefore = new Date(
      this.clock.now().getTime() - this.config.get('RECEIPT_SLA_SECONDS') * 1000,
    );
    const report = new ReportBuilder(window, listLimit, overdueBefore);
    const statementMs = this.config.get('RECONCILIATION_STATEMENT_TIMEOUT_MS');
    try {
      return await this.db.transaction(async (tx) => {
        await this.repository.createScratch(tx, { statementMs, idleMs: timeoutMs + 10_000 });
        const ids = source({
          maxBytes: this.config.get('RECONCILIATION_CSV_MAX_BYTES'),
          maxRecordBytes: this.config.get('RECONCILIATION_MAX_RECORD_BYTES'),
          signal,
          timeoutError,
        });
        let chunk: string[] = [];
        for await (const raw of ids) {
          const id = raw.trim();
          if (!id) continue;
          if (++report.listed > maxRows) {
            throw new ReconciliationTooLargeError(
              `the list has more than ${maxRows} rows (RECONCILIATION_MAX_ROWS); split it`,
            );
          }
          if (id.length > MAX_TRANSACTION_ID_LENGTH) {
            report.invalid++;
            continue;
          }
          chunk.push(id);
          if (chunk.length === RECONCILIATION_CHUNK) {
            if (signal.aborted) throw timeoutError();
            report.add(await this.repository.addChunk(chunk, tx));
            chunk = [];
          }
        }
        if (chunk.length) report.add(await this.repository.addChunk(chunk, tx));
        if (signal.aborted) throw timeoutError();
        const unexpected = await this.repository.unexpected(window, listLimit, tx);
        const reversals = await this.repository.reversalsWithoutCorrection(window, listLimit, tx);
        return report.build(
          unexpected,
          Math.round(Number(process.hrtime.bigint() - started) / 1e6),
          reversals,
        );
      });
    } catch (err) {
      if (isStatementTimeout(err)) {
        throw new ReconciliationTimeoutError(
          `a reconciliation query ran past ${statementMs} ms (RECONCILIATION_STATEMENT_TIMEOUT_MS); ` +
            'use a shorter window or list',
        );
      }
      throw err;
    }
  }

  private checkWindow(window: ReconciliationWindow): void {
    const maxDays = this.config.get('RECONCILIATION_MAX_WINDOW_DAYS');
    const days = (window.to.getTime() - window.from.getTime()) / DAY_MS;
    if (days > maxDays) {
      throw new ReconciliationInputError(
        `to: the window spans ${days.toFixed(1)} days; at most ${maxDays} (RECONCILIATION_MAX_WINDOW_DAYS)`,
      );
    }
  }
}
