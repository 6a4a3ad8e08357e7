import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { currentDataKeyId, type DataKeys, decodeKey } from '../config/data-protection.settings';
import {
  DataKeyUnknownError,
  DataTamperedError,
  decryptValue,
  encryptValue,
  newDataKey,
  unwrapDataKey,
  wrapDataKey,
} from './envelope';

/** Where a sealed row lives: its values' additional data names the table, the column and the row. */
export type SealScope = 'notifications' | 'contacts' | 'replies';

/** The columns a sealed row carries beside its values (and, until re-sealed, its old plain values). */
export interface SealedColumns {
  data_key_id: string | null;
  wrapped_key: Buffer | null;
  phone_enc: Buffer | null;
  phone_e164: string | null;
  body_enc?: Buffer | null;
  body?: string | null;
  /** An alert's template params (JSON), sealed; plain (jsonb) on rows from before they were sealed. */
  template_params_enc?: Buffer | null;
  template_params?: unknown;
}

/** A row's wrapped data key: values that belong to it (its attempts' handset texts) are sealed under it. */
export interface RowKey {
  data_key_id: string | null;
  wrapped_key: Buffer | null;
}

export interface Sealed {
  keyId: string;
  wrappedKey: Buffer;
  phone: Buffer | null;
  body: Buffer | null;
  params: Buffer | null;
}

export interface Opened {
  phone: string | null;
  body: string | null;
  /** An alert's template params as JSON text (message content: merchant, amount); absent for contacts. */
  params?: string | null;
}

/** Where a value sealed beside its alert is stored (its additional data). */
export const besidePlace = {
  handsetText: (attemptId: string) => `delivery_attempts.handset_text:${attemptId}`,
  reversalTemplate: (reversalId: string) => `reversals.template:${reversalId}`,
};

/** Params only where an alert has them: a contact, or an alert without a template, opens to phone and body. */
const withParams = (opened: Opened, params: string | null): Opened =>
  params === null ? opened : { ...opened, params };

const place = (scope: SealScope, column: string, rowId: string) => `${scope}.${column}:${rowId}`;

/**
 * Envelope encryption of phone numbers and message texts (docs/design.md, "Data lifecycle"): each row gets
 * a fresh data key that seals its values, and the data key is stored wrapped by the current key-encryption
 * key of DATA_KEYS, whose id is stored beside it. Rotation re-wraps the 60-byte data key only.
 */
@Injectable()
export class DataCipher {
  private readonly keys: DataKeys;
  private readonly hashKey: Buffer;
  readonly currentKeyId: string;

  constructor(config: AppConfig) {
    this.keys = config.get('DATA_KEYS');
    this.currentKeyId = currentDataKeyId({
      DATA_KEYS: this.keys,
      DATA_KEY_CURRENT: config.get('DATA_KEY_CURRENT'),
    });
    // Validated at start-up (config.schema.ts): a bad value never gets here.
    this.hashKey = decodeKey(config.get('DATA_HASH_KEY')) as Buffer;
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Seals a row's phone and text under one new data key; null values stay null. */
  seal(scope: SealScope, rowId: string, values: Opened): Sealed {
    return this.sealUnder(newDataKey(), scope, rowId, values);
  }

  /**
   * New values for a row that keeps its data key (re-wrapped under the current key): what is sealed beside
   * it under that key (its attempts' handset texts, a reversal's template) stays readable. A row without
   * one (from before encryption at rest) gets a new key.
   */
  sealAgain(scope: SealScope, rowId: string, owner: RowKey, values: Opened): Sealed {
    if (owner.wrapped_key === null || owner.data_key_id === null) return this.seal(scope, rowId, values);
    return this.sealUnder(this.dataKey(owner), scope, rowId, values);
  }

  private sealUnder(dataKey: Buffer, scope: SealScope, rowId: string, values: Opened): Sealed {
    const keyId = this.currentKeyId;
    return {
      keyId,
      wrappedKey: wrapDataKey(this.kek(keyId), keyId, dataKey),
      phone: values.phone === null ? null : encryptValue(dataKey, place(scope, 'phone', rowId), values.phone),
      body: values.body === null ? null : encryptValue(dataKey, place(scope, 'body', rowId), values.body),
      params:
        (values.params ?? null) === null
          ? null
          : encryptValue(dataKey, place(scope, 'template_params', rowId), values.params as string),
    };
  }

  /** The plain phone and text of a row: sealed values opened, a not-yet-sealed row's plain ones as they are. */
  open(scope: SealScope, rowId: string, row: SealedColumns): Opened {
    const plainParams = row.template_params == null ? null : JSON.stringify(row.template_params);
    if (row.wrapped_key === null || row.data_key_id === null) {
      return withParams({ phone: row.phone_e164, body: row.body ?? null }, plainParams);
    }
    const dataKey = unwrapDataKey(this.kek(row.data_key_id), row.data_key_id, row.wrapped_key);
    const bodyEnc = row.body_enc ?? null;
    const paramsEnc = row.template_params_enc ?? null;
    const params =
      paramsEnc === null
        ? plainParams
        : decryptValue(dataKey, place(scope, 'template_params', rowId), paramsEnc);
    const opened: Opened = {
      phone:
        row.phone_enc === null
          ? row.phone_e164
          : decryptValue(dataKey, place(scope, 'phone', rowId), row.phone_enc),
      body:
        bodyEnc === null ? (row.body ?? null) : decryptValue(dataKey, place(scope, 'body', rowId), bodyEnc),
    };
    return withParams(opened, params);
  }

  /**
   * A value that belongs to a sealed row but lives in another table (an attempt's handset text, a
   * reversal's template), sealed under that row's data key: re-wrapping the row's key covers it, and the
   * purge that clears the row's key clears it too. `place` is `table.column:id` of where it is stored.
   */
  sealBeside(owner: RowKey, place: string, value: string): Buffer {
    return encryptValue(this.dataKey(owner), place, value);
  }

  openBeside(owner: RowKey, place: string, sealed: Buffer): string {
    return decryptValue(this.dataKey(owner), place, sealed);
  }

  private dataKey(owner: RowKey): Buffer {
    if (owner.wrapped_key === null || owner.data_key_id === null) {
      throw new DataTamperedError('the owning row has no data key (purged, or from before encryption)');
    }
    return unwrapDataKey(this.kek(owner.data_key_id), owner.data_key_id, owner.wrapped_key);
  }

  /** The row's data key under the current key-encryption key (its values stay as they are). */
  rewrap(keyId: string, wrapped: Buffer): { keyId: string; wrappedKey: Buffer } {
    const dataKey = unwrapDataKey(this.kek(keyId), keyId, wrapped);
    const current = this.currentKeyId;
    return { keyId: current, wrappedKey: wrapDataKey(this.kek(current), current, dataKey) };
  }

  /** Keyed hash for comparing or finding a number without decrypting: HMAC-SHA256 under DATA_HASH_KEY. */
  phoneHash(phone: string): Buffer {
    return createHmac('sha256', this.hashKey).update(phone, 'utf8').digest();
  }

  private kek(keyId: string): Buffer {
    const kek = this.keys.get(keyId);
    if (!kek)
      throw new DataKeyUnknownError(`key id ${keyId} is not in DATA_KEYS (retired while still in use?)`);
    return kek;
  }
}

export { DataKeyUnknownError, DataTamperedError };
