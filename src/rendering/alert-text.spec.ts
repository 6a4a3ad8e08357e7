import { formatAmount, renderAlertText, templateLocale } from './alert-text';

const base = {
  bankName: 'Alertline Bank',
  bankPhone: '+44 20 7946 0000',
  cardLast4: '1234',
  amountMinor: 1250,
  currency: 'EUR',
  merchantName: 'ACME STORE',
  merchantCity: 'Berlin',
  authorisedAt: new Date('2026-11-22T13:03:00Z'),
  timeZone: 'UTC',
  locale: 'en-GB',
};

describe('alert text', () => {
  it('formats amounts with the currency minor units', () => {
    expect(formatAmount(1250, 'EUR', 'en')).toBe('EUR 12.50');
    expect(formatAmount(1250, 'JPY', 'en')).toBe('JPY 1,250');
    expect(formatAmount(1250, 'KWD', 'en')).toBe('KWD 1.250');
    expect(formatAmount(5, 'USD', 'en')).toBe('USD 0.05');
    expect(formatAmount(123456789012345, 'USD', 'en')).toBe('USD 1,234,567,890,123.45');
  });

  it('renders the English template in one GSM-7 segment', () => {
    const text = renderAlertText(base);
    expect(text.body).toBe(
      'Alertline Bank: card ending 1234 was used for EUR 12.50 at ACME STORE, Berlin on 22 Nov 13:03. Not you? Call +44 20 7946 0000.',
    );
    expect(text).toMatchObject({ locale: 'en', encoding: 'GSM-7', segments: 1 });
  });

  it('renders Chinese for zh-CN as UCS-2 and counts segments', () => {
    const text = renderAlertText({
      ...base,
      locale: 'zh-CN',
      currency: 'CNY',
      amountMinor: 8800,
      timeZone: 'Asia/Shanghai',
    });
    expect(text.body).toContain('您尾号1234的卡于11月22日 21:03在ACME STORE, Berlin消费CNY 88.00');
    expect(text).toMatchObject({ locale: 'zh-CN', encoding: 'UCS-2' });
    // 96 UCS-2 characters: more than 70, so two concatenated segments of up to 67
    expect([...text.body].length).toBe(96);
    expect(text.segments).toBe(2);
  });

  it('never shows more than the last 4 digits of the card', () => {
    expect(renderAlertText(base).body).not.toMatch(/\d{5,}/);
  });

  it('maps locales onto the templates it has', () => {
    expect(templateLocale('zh-CN')).toBe('zh-CN');
    expect(templateLocale('zh-Hans-CN')).toBe('zh-CN');
    expect(templateLocale('en-US')).toBe('en');
    expect(templateLocale('fr-FR')).toBe('en');
  });
});
