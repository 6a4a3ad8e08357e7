import type { RenderedTemplate, TemplateParam } from './template.types';

export type TemplateLocale = RenderedTemplate['locale'];

/**
 * Our templates in the `${name}` syntax Aliyun approves (Tencent numbers the same slots {1}, {2}, ...). The
 * text a vendor-neutral provider (Twilio, Vonage, SMPP) sends is the bank's prefix plus the filled
 * template; a template-only vendor sends the template code and the params and puts its registered
 * signature `【...】` in front. These texts are what gets approved with each vendor: a change here is a new
 * template code in ALIYUN_TEMPLATES / TENCENT_TEMPLATES.
 */
export const TEMPLATE_TEXTS: Readonly<Record<string, Readonly<Record<TemplateLocale, string>>>> = {
  card_authorised: {
    en: 'card ending ${card} was used for ${amount} at ${merchant} on ${time}. Not you? Call ${phone}.',
    'zh-CN': '您尾号${card}的卡于${time}在${merchant}消费${amount}。如非本人操作，请致电${phone}。',
  },
  // Corrections (src/rendering/correction-text.ts). A registered template's variables may carry only
  // variable data (card, time, merchant, amounts, phone), never wording: "reversed" / "refunded" and
  // "in full" / "by ... in all" are fixed text, so each combination is its own template to approve.
  card_reversed_full: {
    en: 'the ${amount} payment at ${merchant} on ${time} with card ending ${card} was reversed in full. Questions? Call ${phone}.',
    'zh-CN': '您尾号${card}的卡于${time}在${merchant}消费${amount}，已全额撤销。如有疑问，请致电${phone}。',
  },
  card_reversed_partial: {
    en: 'the ${amount} payment at ${merchant} on ${time} with card ending ${card} was reversed by ${reversed} (${total} in all). Questions? Call ${phone}.',
    'zh-CN':
      '您尾号${card}的卡于${time}在${merchant}消费${amount}，已撤销${reversed}，累计${total}。如有疑问，请致电${phone}。',
  },
  card_refunded_full: {
    en: 'the ${amount} payment at ${merchant} on ${time} with card ending ${card} was refunded in full. Questions? Call ${phone}.',
    'zh-CN': '您尾号${card}的卡于${time}在${merchant}消费${amount}，已全额退款。如有疑问，请致电${phone}。',
  },
  card_refunded_partial: {
    en: 'the ${amount} payment at ${merchant} on ${time} with card ending ${card} was refunded by ${reversed} (${total} in all). Questions? Call ${phone}.',
    'zh-CN':
      '您尾号${card}的卡于${time}在${merchant}消费${amount}，已退款${reversed}，累计${total}。如有疑问，请致电${phone}。',
  },
};

export const TEMPLATE_KEYS = Object.keys(TEMPLATE_TEXTS);
export const TEMPLATE_LOCALES: readonly TemplateLocale[] = ['en', 'zh-CN'];

const SLOT = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** The template's text for key + locale, or a TemplateError naming what is unknown. */
export function templateText(key: string, locale: string): string {
  const byLocale = Object.hasOwn(TEMPLATE_TEXTS, key) ? TEMPLATE_TEXTS[key] : undefined;
  if (!byLocale) throw new TemplateError(`unknown template '${key}'`);
  const text = Object.hasOwn(byLocale, locale) ? byLocale[locale as TemplateLocale] : undefined;
  if (text === undefined) throw new TemplateError(`template '${key}' has no locale '${locale}'`);
  return text;
}

/** The slot names in the order the template text uses them (Tencent's positional order). */
export function templateSlots(text: string): string[] {
  return [...text.matchAll(SLOT)].map((m) => m[1]);
}

/** The template's params, in its own slot order, from a name -> value map. */
export function orderedParams(
  key: string,
  locale: TemplateLocale,
  values: Record<string, string>,
): TemplateParam[] {
  return templateSlots(templateText(key, locale)).map((name) => {
    const value = values[name];
    if (value === undefined) throw new TemplateError(`template '${key}' needs a value for '${name}'`);
    return { name, value };
  });
}

/**
 * The filled template (no prefix, no signature). One pass over the template: a value that itself looks
 * like `${phone}` (a merchant name is the cardholder's bank's input, not ours) is never expanded again. A
 * slot without a param, or a param without a slot, is an error: the vendor would refuse or garble it.
 */
export function fillTemplate(template: RenderedTemplate): string {
  const text = templateText(template.key, template.locale);
  const values = new Map(template.params.map((p) => [p.name, p.value]));
  const slots = templateSlots(text);
  for (const name of values.keys())
    if (!slots.includes(name)) throw new TemplateError(`template '${template.key}' has no slot '${name}'`);
  return text.replace(SLOT, (_, name: string) => {
    const value = values.get(name);
    if (value === undefined)
      throw new TemplateError(`template '${template.key}' needs a value for '${name}'`);
    return value;
  });
}

/** What a handset shows for a template-only vendor: its registered signature in 【】, then the template. */
export function signedText(signName: string, template: RenderedTemplate): string {
  return `【${signName}】${fillTemplate(template)}`;
}
