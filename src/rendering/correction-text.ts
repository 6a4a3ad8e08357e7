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

const ACTION = {
  en: { reversal: 'reversed', refund: 'refunded' },
  'zh-CN': { reversal: '撤销', refund: '退款' },
};

/**
 * The correction SMS for one reversal, as text and as the 'card_reversed' template (TEMPLATE-CONTRACT.md):
 * it names the original (merchant, amount, time) so it reads on its own, says "in full" when everything
 * has been given back and otherwise how much this time and in all. The template's params carry the same
 * facts in its own order; the zh-CN template text is the body without its 【bank】 prefix.
 */
export function renderCorrectionText(input: CorrectionTextInput): RenderedCorrection {
  const locale = templateLocale(input.locale);
  const original = formatAmount(input.originalAmountMinor, input.currency, locale);
  const part = formatAmount(input.amountMinor, input.currency, locale);
  const inAll = formatAmount(input.reversedInAllMinor, input.currency, locale);
  const time = when(input.authorisedAt, input.timeZone, locale);
  const merchant = input.merchantCity ? `${input.merchantName}, ${input.merchantCity}` : input.merchantName;
  const action = ACTION[locale][input.kind.endsWith('REFUND') ? 'refund' : 'reversal'];
  const full = input.reversedInAllMinor === input.originalAmountMinor;
  const onlyOne = input.amountMinor === input.reversedInAllMinor;
  let body: string;
  if (locale === 'zh-CN') {
    const what =
      full && onlyOne ? `已全额${action}` : `已${action}${part}${full ? '，已全额退回' : `，累计${inAll}`}`;
    body = `【${input.bankName}】您尾号${input.cardLast4}的卡于${time}在${merchant}消费${original}，${what}。如有疑问，请致电${input.bankPhone}。`;
  } else {
    const what =
      full && onlyOne ? `was ${action} in full` : `was ${action} by ${part} (${inAll} of ${original} in all)`;
    body = `${input.bankName}: the ${original} payment at ${merchant} on ${time} with card ending ${input.cardLast4} ${what}. Questions? Call ${input.bankPhone}.`;
  }
  const { segments, encoding } = countSegments(body);
  const template: RenderedTemplate = {
    key: 'card_reversed',
    locale,
    params: [
      { name: 'card', value: input.cardLast4 },
      { name: 'time', value: time },
      { name: 'merchant', value: merchant },
      { name: 'amount', value: original },
      { name: 'reversed', value: part },
      { name: 'total', value: inAll },
      { name: 'action', value: action },
      { name: 'phone', value: input.bankPhone },
    ],
  };
  return { body, locale, segments, encoding, template };
}
