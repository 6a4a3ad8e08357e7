import { testCipher } from '../../src/crypto/testing/test-cipher';
import pino from 'pino';
import { Clock } from '../../src/common/clock';
import { loadConfig } from '../../src/providers/provider-config';
import { ContactsRepository } from '../../src/contacts/contacts.repository';
import { CorrectionRelease } from '../../src/corrections/correction-release';
import { CorrectionsRepository } from '../../src/corrections/corrections.repository';
import { Database } from '../../src/database/database.service';
import { Metrics } from '../../src/metrics/metrics.service';
import { SmsQueue } from '../../src/queue/sms-queue.service';

/** What Nest wires for correction decisions (ingest, dispatcher, sweeper), by hand on a real database. */
export function correctionReleaseOn(
  db: Database,
  queue: SmsQueue,
  metrics: Metrics,
  config = loadConfig({}),
  clock = new Clock(),
): CorrectionRelease {
  return new CorrectionRelease(
    config,
    db,
    clock,
    new CorrectionsRepository(db, testCipher()),
    new ContactsRepository(db, testCipher()),
    queue,
    metrics,
    pino({ level: 'silent' }),
  );
}
