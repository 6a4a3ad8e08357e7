import {
  TEMPLATE_KEYS,
  TEMPLATE_LOCALES,
  templateSlots,
  TEMPLATE_TEXTS,
} from '../../rendering/alert-template';
import type { RenderedTemplate } from '../../rendering/template.types';

/** `card_authorised:zh-CN` → Tencent TemplateId (an approved template's numeric id). */
export type TencentTemplateIds = ReadonlyMap<string, string>;

const ENTRY = /^([a-z][a-z0-9_]{0,63}):(en|zh-CN)=(\d{1,12})$/;

/**
 * TENCENT_TEMPLATES, `key:locale=id,...` (e.g. `card_authorised:zh-CN=1234567,card_authorised:en=1234568`):
 * each entry well formed, none twice, and every template the renderer has (TEMPLATE_KEYS) in every locale. Throws a message that
 * says what is wrong and never leaves a template to fail on its first alert.
 */
export function parseTencentTemplates(
  value: string,
  required: readonly string[] = TEMPLATE_KEYS,
): TencentTemplateIds {
  const ids = new Map<string, string>();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = ENTRY.exec(entry);
    if (!m) throw new Error(`"${entry.slice(0, 80)}" is not <template key>:<en|zh-CN>=<numeric TemplateId>`);
    const key = `${m[1]}:${m[2]}`;
    if (ids.has(key)) throw new Error(`${key} is given twice`);
    ids.set(key, m[3]);
  }
  const missing = required
    .flatMap((k) => TEMPLATE_LOCALES.map((l) => `${k}:${l}`))
    .filter((k) => !ids.has(k));
  if (missing.length) throw new Error(`no TemplateId for ${missing.join(', ')}`);
  return ids;
}

export function templateIdFor(ids: TencentTemplateIds, t: RenderedTemplate): string | undefined {
  return ids.get(`${t.key}:${t.locale}`);
}

/** A Tencent template's `{1}`, `{2}`, ... filled with the params in order (what the sandbox renders). */
export function fillTencentTemplate(text: string, values: readonly string[]): string {
  return text.replace(/\{(\d{1,2})\}/g, (whole, n: string) => values[Number(n) - 1] ?? whole);
}

/**
 * What the handset shows: `【sign】` and our template text filled by position, as Tencent fills `{n}` from
 * TemplateParamSet (param names play no part at Tencent). Undefined for a key or locale we have no text
 * for or a param count that does not match: never a throw, since it runs beside a real send.
 */
export function tencentHandsetText(signName: string, t: RenderedTemplate): string | undefined {
  const text = Object.hasOwn(TEMPLATE_TEXTS, t.key) ? TEMPLATE_TEXTS[t.key][t.locale] : undefined;
  if (text === undefined) return undefined;
  const slots = templateSlots(text);
  if (new Set(slots).size !== t.params.length) return undefined;
  const filled = text.replace(
    /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g,
    (_, name: string) => t.params[slots.indexOf(name)].value,
  );
  return `【${signName}】${filled}`;
}

/**
 * Tencent's billing count for a mainland message: every character (Chinese, Latin, digit, punctuation,
 * space) counts one, the signature included; up to 70 is one message, longer ones are billed per 67.
 */
export function tencentSegments(handsetText: string): number {
  const length = [...handsetText].length;
  return length <= 70 ? 1 : Math.ceil(length / 67);
}
