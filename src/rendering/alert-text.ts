import { SegmentedMessage } from 'sms-segments-calculator';

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
}

export function templateLocale(locale: string): 'en' | 'zh-CN' {
  return /^zh(-Hans)?(-CN)?$/i.test(locale) || /^zh-(Hans-)?(CN|SG)$/i.test(locale) ? 'zh-CN' : 'en';
}

/** Minor units to a formatted amount, with the currency's own number of decimals (JPY 0, KWD 3). */
export function formatAmount(amountMinor: number, currency: string, locale: string): string {
  const fmt = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'code' });
  const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
  // Dividing as a decimal string avoids binary floating point for large amounts.
  const negative = amountMinor < 0;
  const raw = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
  const decimal = digits > 0 ? `${raw.slice(0, -digits)}.${raw.slice(-digits)}` : raw;
  return fmt.format(`${negative ? '-' : ''}${decimal}` as unknown as number).replace(/\u00a0/g, ' ');
}

function formatTime(at: Date, timeZone: string, locale: 'en' | 'zh-CN'): string {
  // Parts, not a locale pattern: Node builds with small ICU would otherwise change the zh-CN layout.
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${part('hour')}:${part('minute')}`;
  if (locale === 'en') return `${part('day')} ${part('month')} ${time}`;
  const month = Number(new Intl.DateTimeFormat('en-GB', { timeZone, month: 'numeric' }).format(at));
  return `${month}月${part('day')}日 ${time}`;
}

// Plain ASCII in the English template keeps an ordinary alert in one GSM-7 segment; the card is shown
// by its last 4 digits only (PCI DSS 3.4.1).
export function renderAlertText(input: AlertTextInput): RenderedText {
  const locale = templateLocale(input.locale);
  const amount = formatAmount(input.amountMinor, input.currency, locale);
  const when = formatTime(input.authorisedAt, input.timeZone, locale);
  const merchant = input.merchantCity ? `${input.merchantName}, ${input.merchantCity}` : input.merchantName;
  const body =
    locale === 'zh-CN'
      ? `【${input.bankName}】您尾号${input.cardLast4}的卡于${when}在${merchant}消费${amount}。如非本人操作，请致电${input.bankPhone}。`
      : `${input.bankName}: card ending ${input.cardLast4} was used for ${amount} at ${merchant} on ${when}. Not you? Call ${input.bankPhone}.`;
  const segmented = new SegmentedMessage(body);
  return {
    body,
    locale,
    segments: segmented.segmentsCount,
    encoding: segmented.encodingName === 'UCS-2' ? 'UCS-2' : 'GSM-7',
  };
}
