import { fillTemplate, orderedParams } from './alert-template';
import { formatAmount, RenderedText, templateLocale } from './alert-text';
import { countSegments } from './sms-segments';
import type { RenderedTemplate } from './template.types';

export type CorrectionKind = 'REVERSAL' | 'PARTIAL_REVERSAL' | 'REFUND' | 'PARTIAL_REFUND';

export interface CorrectionTextInput {
  bankName: string;
  bankPhone: string;
  cardLast4: string;
  kind: CorrectionKind;
  /** The original alert's purchase, as the cardholder was told of it. */
  originalAmountMinor: number;
  currency: string;
  merchantName: string;
  merchantCity?: string | null;
  authorisedAt: Date;
  /** What this reversal gives back, and what all reversals of the original have given back with it. */
  amountMinor: number;
  reversedInAllMinor: number;
  timeZone: string;
  locale: string;
}

export interface RenderedCorrection extends RenderedText {
  template: RenderedTemplate;
}

const times = new Map<string, Intl.DateTimeFormat>();

/** "7 Dec 14:05" / "12月7日 14:05" in the bank's zone, as the original alert wrote its time. */
function when(at: Date, timeZone: string, locale: 'en' | 'zh-CN'): string {
  let fmt = times.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    times.set(timeZone, fmt);
  }
  const p = Object.fromEntries(fmt.formatToParts(at).map((x) => [x.type, x.value]));
  const month = Number(p.month);
  const day = Number(p.day);
  const short = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return locale === 'en'
    ? `${day} ${short[month - 1]} ${p.hour}:${p.minute}`
    : `${month}月${day}日 ${p.hour}:${p.minute}`;
}

/** The template key: reversal or refund, given back in full by this one reversal or in part(s). */
export function correctionTemplateKey(kind: CorrectionKind, full: boolean): string {
  const action = kind.endsWith('REFUND') ? 'refunded' : 'reversed';
  return `card_${action}_${full ? 'full' : 'partial'}`;
}

/**
 * The correction SMS for one reversal, as a template (alert-template.ts, card_reversed_* / card_refunded_*)
 * and as text: the text is the bank's prefix plus the filled template, so what a template-only vendor
 * sends and what Twilio sends cannot differ. It names the original (merchant, amount, time) so it reads on
 * its own; "in full" when this one reversal gave everything back, otherwise how much this time and in all.
 */
export function renderCorrectionText(input: CorrectionTextInput): RenderedCorrection {
  const locale = templateLocale(input.locale);
  const full =
    input.reversedInAllMinor === input.originalAmountMinor && input.amountMinor === input.reversedInAllMinor;
  const key = correctionTemplateKey(input.kind, full);
  const template: RenderedTemplate = {
    key,
    locale,
    params: orderedParams(key, locale, {
      card: input.cardLast4,
      time: when(input.authorisedAt, input.timeZone, locale),
      merchant: input.merchantCity ? `${input.merchantName}, ${input.merchantCity}` : input.merchantName,
      amount: formatAmount(input.originalAmountMinor, input.currency, locale),
      reversed: formatAmount(input.amountMinor, input.currency, locale),
      total: formatAmount(input.reversedInAllMinor, input.currency, locale),
      phone: input.bankPhone,
    }),
  };
  // As for alerts (alert-text.ts): zh-CN carries the bank's name as the customary 【】 signature.
  const prefix = locale === 'zh-CN' ? `【${input.bankName}】` : `${input.bankName}: `;
  const body = prefix + fillTemplate(template);
  const { segments, encoding } = countSegments(body);
  return { body, locale, segments, encoding, template };
}
