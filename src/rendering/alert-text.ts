import { fillTemplate, orderedParams } from './alert-template';
import { countSegments } from './sms-segments';
import type { RenderedTemplate } from './template.types';

export interface AlertTextInput {
  bankName: string;
  bankPhone: string;
  cardLast4: string;
  amountMinor: number;
  currency: string;
  merchantName: string;
  merchantCity?: string | null;
  authorisedAt: Date;
  timeZone: string;
  locale: string;
}

export interface RenderedText {
  body: string;
  /** The template language actually used (a cardholder locale we have no template for falls back to en). */
  locale: 'en' | 'zh-CN';
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  /** The same alert as a template: `body` is the bank's prefix plus this template filled. */
  template: RenderedTemplate;
}

export function templateLocale(locale: string): 'en' | 'zh-CN' {
  return /^zh(-Hans)?(-CN)?$/i.test(locale) || /^zh-(Hans-)?(CN|SG)$/i.test(locale) ? 'zh-CN' : 'en';
}

// Building an Intl formatter costs far more than using one (a quarter of ingest's CPU in the benchmark's
// profile), and there are few locale/currency/time-zone combinations: keep them.
const amountFormats = new Map<string, { fmt: Intl.NumberFormat; digits: number }>();
const timeFormats = new Map<string, { parts: Intl.DateTimeFormat; month: Intl.DateTimeFormat }>();

function amountFormat(currency: string, locale: string) {
  const key = `${locale}|${currency}`;
  let found = amountFormats.get(key);
  if (!found) {
    const fmt = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'code' });
    found = { fmt, digits: fmt.resolvedOptions().maximumFractionDigits ?? 2 };
    amountFormats.set(key, found);
  }
  return found;
}

function timeFormat(timeZone: string) {
  let found = timeFormats.get(timeZone);
  if (!found) {
    found = {
      parts: new Intl.DateTimeFormat('en-GB', {
        timeZone,
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
      month: new Intl.DateTimeFormat('en-GB', { timeZone, month: 'numeric' }),
    };
    timeFormats.set(timeZone, found);
  }
  return found;
}

/** Minor units to a formatted amount, with the currency's own number of decimals (JPY 0, KWD 3). */
export function formatAmount(amountMinor: number, currency: string, locale: string): string {
  const { fmt, digits } = amountFormat(currency, locale);
  // Dividing as a decimal string avoids binary floating point for large amounts.
  const negative = amountMinor < 0;
  const raw = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
  const decimal = digits > 0 ? `${raw.slice(0, -digits)}.${raw.slice(-digits)}` : raw;
  return fmt.format(`${negative ? '-' : ''}${decimal}` as unknown as number).replace(/\u00a0/g, ' ');
}

function formatTime(at: Date, timeZone: string, locale: 'en' | 'zh-CN'): string {
  // Parts, not a locale pattern: Node builds with small ICU would otherwise change the zh-CN layout.
  const formats = timeFormat(timeZone);
  const parts = formats.parts.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${part('hour')}:${part('minute')}`;
  if (locale === 'en') return `${part('day')} ${part('month')} ${time}`;
  const month = Number(formats.month.format(at));
  return `${month}月${part('day')}日 ${time}`;
}

// Plain ASCII in the English template keeps an ordinary alert in one GSM-7 segment; the card is shown
// by its last 4 digits only (PCI DSS 3.4.1).
export function renderAlertText(input: AlertTextInput): RenderedText {
  const locale = templateLocale(input.locale);
  const amount = formatAmount(input.amountMinor, input.currency, locale);
  const when = formatTime(input.authorisedAt, input.timeZone, locale);
  const merchant = input.merchantCity ? `${input.merchantName}, ${input.merchantCity}` : input.merchantName;
  const template: RenderedTemplate = {
    key: 'card_authorised',
    locale,
    params: orderedParams('card_authorised', locale, {
      card: input.cardLast4,
      amount,
      merchant,
      time: when,
      phone: input.bankPhone,
    }),
  };
  // zh-CN texts carry the bank's name as the customary 【】 signature; a template-only vendor replaces it
  // with its own registered signature (the same name, approved by the vendor).
  const prefix = locale === 'zh-CN' ? `【${input.bankName}】` : `${input.bankName}: `;
  const body = prefix + fillTemplate(template);
  const { segments, encoding } = countSegments(body);
  return { body, locale, segments, encoding, template };
}
