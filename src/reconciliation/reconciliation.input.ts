import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { z } from 'zod';
import { ReconciliationWindow } from './reconciliation.repository';

/** Bad input from the caller (HTTP 400, or exit code 2 for the command), named so they can fix it. */
export class ReconciliationInputError extends Error {
  override readonly name: string = 'ReconciliationInputError';
}

/** Over a size limit (bytes, rows, one record): HTTP 413. The message names the limit and its setting. */
export class ReconciliationTooLargeError extends ReconciliationInputError {
  override readonly name = 'ReconciliationTooLargeError';
}

/** Over a time limit (the whole reconciliation, or one of its queries): HTTP 408. */
export class ReconciliationTimeoutError extends ReconciliationInputError {
  override readonly name = 'ReconciliationTimeoutError';
}

/** What one CSV upload may cost; the service fills it from the RECONCILIATION_* settings. */
export interface CsvLimits {
  maxBytes: number;
  maxRecordBytes: number;
  /** Aborted when the reconciliation's time is up: the read stops with a ReconciliationTimeoutError. */
  signal: AbortSignal;
  timeoutError: () => ReconciliationTimeoutError;
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
 * and the source paused while the caller works (backpressure through the async iterator). The read stops
 * at the byte limit, at a record over the record limit, or when the signal fires.
 */
export async function* transactionIdsFromCsv(source: Readable, limits: CsvLimits): AsyncGenerator<string> {
  const parser = source.pipe(
    parse({
      columns: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: limits.maxRecordBytes,
    }),
  );
  // The rest of the upload is left unread (the HTTP answer closes the connection).
  const stop = (err: Error) => {
    source.unpipe(parser);
    source.pause();
    parser.destroy(err);
  };
  // A failing source (a client dropping the upload) must end the iteration too, not only the parser.
  source.once('error', (err) => parser.destroy(err));
  let bytes = 0;
  source.on('data', (chunk: Buffer | string) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (bytes > limits.maxBytes) {
      stop(
        new ReconciliationTooLargeError(
          `the CSV is over ${limits.maxBytes} bytes (RECONCILIATION_CSV_MAX_BYTES); split the list`,
        ),
      );
    }
  });
  const onAbort = () => stop(limits.timeoutError());
  if (limits.signal.aborted) onAbort();
  limits.signal.addEventListener('abort', onAbort, { once: true });
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
    if (err instanceof CsvError && err.code === 'CSV_MAX_RECORD_SIZE') {
      throw new ReconciliationTooLargeError(
        `a CSV record is over ${limits.maxRecordBytes} characters (RECONCILIATION_MAX_RECORD_BYTES)`,
      );
    }
    if (err instanceof CsvError) throw new ReconciliationInputError(`CSV: ${err.message}`);
    throw err;
  } finally {
    limits.signal.removeEventListener('abort', onAbort);
  }
}
