import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { Database } from '../database/database.service';
import { ReconciliationReport, ReportBuilder } from './reconciliation.report';
import { ReconciliationRepository, ReconciliationWindow } from './reconciliation.repository';

// Ids per round trip: large enough that 100,000 ids take 20 queries, small enough to keep memory flat.
export const RECONCILIATION_CHUNK = 5000;
const MAX_TRANSACTION_ID_LENGTH = 64;

/** Compares the bank's own list of authorised transactions with what Alertline recorded. */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly db: Database,
    private readonly repository: ReconciliationRepository,
  ) {}

  async reconcile(
    transactionIds: AsyncIterable<string> | Iterable<string>,
    window: ReconciliationWindow,
    listLimit = this.config.get('RECONCILIATION_LIST_LIMIT'),
  ): Promise<ReconciliationReport> {
    const started = process.hrtime.bigint();
    const overdueBefore = new Date(
      this.clock.now().getTime() - this.config.get('RECEIPT_SLA_SECONDS') * 1000,
    );
    const report = new ReportBuilder(window, listLimit, overdueBefore);
    return this.db.transaction(async (tx) => {
      await this.repository.createScratch(tx);
      let chunk: string[] = [];
      for await (const raw of transactionIds) {
        const id = raw.trim();
        if (!id) continue;
        report.listed++;
        if (id.length > MAX_TRANSACTION_ID_LENGTH) {
          report.invalid++;
          continue;
        }
        chunk.push(id);
        if (chunk.length === RECONCILIATION_CHUNK) {
          report.add(await this.repository.addChunk(chunk, tx));
          chunk = [];
        }
      }
      if (chunk.length) report.add(await this.repository.addChunk(chunk, tx));
      const unexpected = await this.repository.unexpected(window, listLimit, tx);
      return report.build(unexpected, Math.round(Number(process.hrtime.bigint() - started) / 1e6));
    });
  }
}
