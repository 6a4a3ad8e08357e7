import type { Pool } from 'pg';
import { DataCipher } from '../../src/crypto/data-cipher';
import { Database } from '../../src/database/database.service';
import { waitFor } from '../../src/devstack/wait-for';
import { loadConfig } from '../../src/providers/provider-config';
import { RepliesRepository, type ReplyRow } from '../../src/replies/replies.repository';
import { TEST_DATABASE_URL } from './db';

export type StoredReply = ReplyRow;

// The replies are sealed and found by the number's keyed hash: read through the product's repository,
// with the stack's (default test) DATA_KEYS and DATA_HASH_KEY.
let repository: { db: Database; replies: RepliesRepository } | undefined;
function replies(): RepliesRepository {
  if (!repository) {
    const config = loadConfig({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_MAX: '2' });
    const db = new Database(config);
    repository = { db, replies: new RepliesRepository(db, new DataCipher(config)) };
  }
  return repository.replies;
}

/** Closes the reader's pool (afterAll). */
export async function closeReplies(): Promise<void> {
  await repository?.db.onModuleDestroy();
  repository = undefined;
}

/** The replies stored from this number, oldest first, opened. */
export async function repliesFrom(_db: Pool, phone: string): Promise<StoredReply[]> {
  return replies().fromNumber(phone);
}

/** Waits until `count` replies from this number are stored; returns them. */
export async function waitForReplies(db: Pool, phone: string, count = 1, timeoutMs = 30000) {
  return waitFor(
    `${count} replies from ${phone}`,
    async () => {
      const rows = await repliesFrom(db, phone);
      return rows.length >= count && rows;
    },
    timeoutMs,
  );
}
