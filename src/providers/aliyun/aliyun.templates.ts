import { TEMPLATE_KEYS, TEMPLATE_LOCALES, TemplateLocale } from '../../rendering/alert-template';

/** Our template (key + locale) onto Aliyun's approved template code, as ALIYUN_TEMPLATES lists them. */
export type AliyunTemplateCodes = ReadonlyMap<string, string>;

export const templateRef = (key: string, locale: string): string => `${key}:${locale}`;

// Aliyun's template codes: SMS_ and digits (SMS_154950909); the sandbox's are the same shape.
const CODE = /^SMS_\d{1,20}$/;

/**
 * Parses `card_authorised:zh-CN=SMS_1,card_authorised:en=SMS_2`. Every template we render must have a
 * code (an alert Aliyun cannot send would only be found at 3 am), and every entry must name a template and
 * locale we have: a typo is refused at start-up rather than ignored. Throws with what is wrong.
 */
export function parseAliyunTemplates(value: string): AliyunTemplateCodes {
  const codes = new Map<string, string>();
  const known = new Set(TEMPLATE_KEYS.flatMap((k) => TEMPLATE_LOCALES.map((l) => templateRef(k, l))));
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const m = /^([^:=\s]+):([^:=\s]+)=(\S+)$/.exec(entry);
    if (!m) throw new Error(`'${entry}' is not key:locale=TemplateCode`);
    const ref = templateRef(m[1], m[2]);
    if (!known.has(ref))
      throw new Error(`unknown template key/locale '${ref}' (known: ${[...known].join(', ')})`);
    if (!CODE.test(m[3]))
      throw new Error(`'${m[3]}' for ${ref} is not an Aliyun template code (SMS_<digits>)`);
    if (codes.has(ref)) throw new Error(`${ref} is listed twice`);
    codes.set(ref, m[3]);
  }
  const missing = [...known].filter((ref) => !codes.has(ref));
  if (missing.length) throw new Error(`no template code for ${missing.join(', ')}`);
  return codes;
}

/** The template code for key + locale (parseAliyunTemplates made sure every one we render has one). */
export function templateCode(
  codes: AliyunTemplateCodes,
  key: string,
  locale: TemplateLocale,
): string | undefined {
  return codes.get(templateRef(key, locale));
}
