import { AppConfig } from '../config/app-config';
import { DataCipher, type SealedColumns } from '../crypto/data-cipher';

/** The sealed columns of an alert, selected beside what a tool reads (`${SEALED_COLUMNS}`). */
export const SEALED_COLUMNS =
  'n.id, n.data_key_id, n.wrapped_key, n.phone_enc, n.body_enc, n.phone_e164, n.body';

/**
 * Opens stored alerts' numbers and texts for the tools that check what was sent (bench, chaos), with the
 * keys the stack runs on: the DATA_* settings of this environment, else the built-in demo keys.
 */
export function alertOpener(env: NodeJS.ProcessEnv = process.env) {
  const cipher = new DataCipher(
    AppConfig.fromEnv(
      {
        DATA_KEYS: env.DATA_KEYS,
        DATA_KEY_CURRENT: env.DATA_KEY_CURRENT,
        DATA_HASH_KEY: env.DATA_HASH_KEY,
      },
      [],
    ),
  );
  return (row: SealedColumns & { id: string }) => {
    const { phone, body } = cipher.open('notifications', row.id, row);
    return { phone, body };
  };
}
