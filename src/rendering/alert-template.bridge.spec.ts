import fc from 'fast-check';
import { formatAmount, renderAlertText } from './alert-text';
import { alertTemplateFromBody } from './alert-template.bridge';

// The template texts as a bank registers them with a template-only vendor (the sandbox keeps the same).
const TEXTS = {
  'zh-CN': '您尾号{1}的卡于{2}在{3}消费{4}。如非本人操作，请致电{5}。',
  en: '{0}: card ending {1} was used for {2} at {3} on {4}. Not you? Call {5}.',
};
const fill = (text: string, values: string[]) =>
  text.replace(/\{(\d)\}/g, (_, n: string) => values[Number(n) - 1]);

describe('card_authorised params recovered from the rendered body', () => {
  it('fill(template, params) gives back the body, for any alert', () => {
    const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(
        fc.record({
          locale: fc.constantFrom('en', 'zh-CN'),
          merchantName: name,
          merchantCity: fc.option(name),
          amountMinor: fc.integer({ min: -1e9, max: 1e12 }),
          currency: fc.constantFrom('CNY', 'GBP', 'JPY', 'KWD', 'USD'),
          cardLast4: fc.stringMatching(/^\d{4}$/),
          authorisedAt: fc.date({
            min: new Date('2000-01-01'),
            max: new Date('2100-01-01'),
            noInvalidDate: true,
          }),
          timeZone: fc.constantFrom('UTC', 'Asia/Shanghai', 'Europe/London'),
        }),
        (a) => {
          const { body, locale } = renderAlertText({
            ...a,
            bankName: 'Alertline Bank',
            bankPhone: '+44 20 7946 0000',
          });
          const t = alertTemplateFromBody(body, locale);
          expect(t).toMatchObject({ key: 'card_authorised', locale });
          const values = t!.params.map((p) => p.value);
          if (locale === 'zh-CN') expect(`【Alertline Bank】${fill(TEXTS['zh-CN'], values)}`).toBe(body);
          else expect(fill(TEXTS.en.replace('{0}', 'Alertline Bank'), values)).toBe(body);
          const param = (n: string) => t!.params.find((p) => p.name === n)?.value;
          expect(param('card_last4')).toBe(a.cardLast4);
          expect(param('merchant')).toBe(
            a.merchantCity ? `${a.merchantName}, ${a.merchantCity}` : a.merchantName,
          );
          expect(param('amount')).toBe(formatAmount(a.amountMinor, a.currency, locale));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('anything else is not this alert', () => {
    expect(alertTemplateFromBody('hello', 'en')).toBeUndefined();
    expect(alertTemplateFromBody('【银行】您好', 'zh-CN')).toBeUndefined();
  });
});
