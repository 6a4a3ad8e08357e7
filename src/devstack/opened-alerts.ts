import type { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { besidePlace, DataCipher, type SealedColumns } from '../crypto/data-cipher';

/** The sealed columns of an alert, selected beside what a tool reads (`${SEALED_COLUMNS}`). */
export const SEALED_COLUMNS =
  'n.id, n.data_key_id, n.wrapped_key, n.phone_enc, n.body_enc, n.phone_e164, n.body';

/**
 * Opens stored alerts' numbers and texts for the tools that check what was sent (bench, chaos), with the
 * keys the stack runs on: the DATA_* settings of this environment, else the built-in demo keys.
 */
export function alertOpener(env: NodeJS.ProcessEnv = process.env) {
  const cipher = toolCipher(env);
  return (row: SealedColumns & { id: string }) => {
    const { phone, body } = cipher.open('notifications', row.id, row);
    return { phone, body };
  };
}

/**
 * An alert's template and each accepted attempt's handset text (a template vendor's 【signature】 + the
 * filled template), opened: what the demo and the vendor specs compare with what the sandbox got.
 */
export async function openedAttempts(db: Pool, where: string, param: string, env = process.env) {
  const cipher = toolCipher(env);
  const { rows } = await db.query<
    SealedColumns & {
      id: string;
      template_key: string | null;
      attempt_id: string;
      handset_text_enc: Buffer | null;
      handset_text: string | null;
      segments: number | null;
      provider_message_id: string;
    }
  >(
    `SELECT ${SEALED_COLUMNS}, n.template_key, n.template_params, n.template_params_enc, a.id AS attempt_id,
            a.handset_text_enc, a.handset_text, a.segments, a.provider_message_id
     FROM notifications n JOIN delivery_attempts a ON a.notification_id = n.id
     WHERE ${where} = $1 AND a.status = 'ACCEPTED' ORDER BY a.attempt_no`,
    [param],
  );
  return rows.map((r) => ({
    template_key: r.template_key,
    template_params: JSON.parse(cipher.open('notifications', r.id, r).params ?? 'null') as Array<{
      name: string;
      value: string;
    }> | null,
    handset_text:
      r.handset_text_enc === null
        ? r.handset_text
        : cipher.openBeside(r, besidePlace.handsetText(r.attempt_id), r.handset_text_enc),
    segments: r.segments,
    provider_message_id: r.provider_message_id,
  }));
}

function toolCipher(env: NodeJS.ProcessEnv): DataCipher {
  return new DataCipher(
    AppConfig.fromEnv(
      {
        DATA_KEYS: env.DATA_KEYS,
        DATA_KEY_CURRENT: env.DATA_KEY_CURRENT,
        DATA_HASH_KEY: env.DATA_HASH_KEY,
      },
      [],
    ),
  );
}
