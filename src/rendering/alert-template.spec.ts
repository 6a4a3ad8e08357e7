import fc from 'fast-check';
import { fillTemplate, signedText, TemplateError, templateSlots, TEMPLATE_TEXTS } from './alert-template';
import { renderAlertText } from './alert-text';

const input = {
  bankName: 'Alertline Bank',
  bankPhone: '95588',
  cardLast4: '1234',
  amountMinor: 8800,
  currency: 'CNY',
  merchantName: '星巴克',
  merchantCity: '上海',
  authorisedAt: new Date('2026-11-22T13:03:00Z'),
  timeZone: 'Asia/Shanghai',
  locale: 'zh-CN',
};

describe('alert templates', () => {
  it('renders every alert as a template too: the body is the bank prefix plus the filled template', () => {
    const zh = renderAlertText(input);
    expect(zh.template).toEqual({
      key: 'card_authorised',
      locale: 'zh-CN',
      params: [
        { name: 'card', value: '1234' },
        { name: 'time', value: '11月22日 21:03' },
        { name: 'merchant', value: '星巴克, 上海' },
        { name: 'amount', value: 'CNY 88.00' },
        { name: 'phone', value: '95588' },
      ],
    });
    expect(zh.body).toBe(`【Alertline Bank】${fillTemplate(zh.template)}`);
    expect(signedText('Alertline Bank', zh.template)).toBe(zh.body);

    const en = renderAlertText({ ...input, locale: 'en-GB' });
    expect(en.template.params.map((p) => p.name)).toEqual(['card', 'amount', 'merchant', 'time', 'phone']);
    expect(en.body).toBe(`Alertline Bank: ${fillTemplate(en.template)}`);
    expect(signedText('招商银行', en.template)).toBe(`【招商银行】${fillTemplate(en.template)}`);
  });

  it('params follow each template’s own slot order (Tencent fills by position)', () => {
    for (const [locale, text] of Object.entries(TEMPLATE_TEXTS.card_authorised)) {
      const t = renderAlertText({ ...input, locale });
      expect(t.template.params.map((p) => p.name)).toEqual(templateSlots(text));
    }
  });

  it('never expands a value that looks like a slot', () => {
    const t = renderAlertText({ ...input, merchantName: '${phone}${card}', merchantCity: null });
    expect(fillTemplate(t.template)).toContain('在${phone}${card}消费');
    fc.assert(
      fc.property(fc.string(), (merchantName) => {
        const r = renderAlertText({ ...input, merchantName, merchantCity: null });
        expect(fillTemplate(r.template)).toContain(`在${merchantName}消费`);
      }),
    );
  });

  it('refuses unknown templates, locales, missing and extra params', () => {
    const t = renderAlertText(input).template;
    expect(() => fillTemplate({ ...t, key: 'nope' })).toThrow(TemplateError);
    expect(() => fillTemplate({ ...t, locale: 'fr' as never })).toThrow(/no locale 'fr'/);
    expect(() => fillTemplate({ ...t, params: t.params.slice(1) })).toThrow(/needs a value for 'card'/);
    expect(() => fillTemplate({ ...t, params: [...t.params, { name: 'x', value: '1' }] })).toThrow(
      /no slot 'x'/,
    );
  });
});
