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
// One reader per database (a spec's stack may have a database of its own).
const readers = new Map<string, { db: Database; replies: RepliesRepository }>();
function replies(pool: Pool): RepliesRepository {
  const url = (pool as unknown as { options: { connectionString?: string } }).options.connectionString;
  const databaseUrl = url ?? TEST_DATABASE_URL;
  let reader = readers.get(databaseUrl);
  if (!reader) {
    const config = loadConfig({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: '2' });
    const db = new Database(config);
    reader = { db, replies: new RepliesRepository(db, new DataCipher(config)) };
    readers.set(databaseUrl, reader);
  }
  return reader.replies;
}

/** Closes the readers' pools (afterAll). */
export async function closeReplies(): Promise<void> {
  await Promise.all([...readers.values()].map((r) => r.db.onModuleDestroy()));
  readers.clear();
}

/** The replies stored from this number, oldest first, opened. */
export async function repliesFrom(db: Pool, phone: string): Promise<StoredReply[]> {
  return replies(db).fromNumber(phone);
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
