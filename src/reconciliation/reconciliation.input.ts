import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { z } from 'zod';
import { ReconciliationWindow } from './reconciliation.repository';

/** Bad input from the caller (HTTP 400, or exit code 2 for the command), named so they can fix it. */
export class ReconciliationInputError extends Error {
  override readonly name = 'ReconciliationInputError';
}

const instant = z.iso.datetime({ offset: true });
export const windowSchema = z
  .object({ from: instant, to: instant })
  .refine((w) => Date.parse(w.from) < Date.parse(w.to), { message: 'from must be before to', path: ['to'] });

export function parseWindow(input: { from?: unknown; to?: unknown }): ReconciliationWindow {
  const result = windowSchema.safeParse(input);
  if (!result.success) {
    throw new ReconciliationInputError(
      result.error.issues
        .map((i) => `${i.path.join('.') || 'window'}: ${i.message} (ISO 8601 with offset)`)
        .join('; '),
    );
  }
  return { from: new Date(result.data.from), to: new Date(result.data.to) };
}

/**
 * The transactionId column of a CSV with a header row, read as a stream: one record in memory at a time,
 * and the source paused while the caller works (backpressure through the async iterator).
 */
export async function* transactionIdsFromCsv(source: Readable): AsyncGenerator<string> {
  const parser = source.pipe(
    parse({ columns: true, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }),
  );
  // A failing source (a client dropping the upload) must end the iteration too, not only the parser.
  source.once('error', (err) => parser.destroy(err));
  let first = true;
  try {
    for await (const record of parser as AsyncIterable<Record<string, string | undefined>>) {
      if (first && record.transactionId === undefined) {
        throw new ReconciliationInputError('the CSV needs a header row with a transactionId column');
      }
      first = false;
      if (record.transactionId) yield record.transactionId;
    }
  } catch (err) {
    if (err instanceof CsvError) throw new ReconciliationInputError(`CSV: ${err.message}`);
    throw err;
  }
}
