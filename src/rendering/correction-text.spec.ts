import { fillTemplate } from './alert-template';
import { renderCorrectionText } from './correction-text';

const input = {
  bankName: 'Alertline Bank',
  bankPhone: '+44 20 7946 0000',
  cardLast4: '4242',
  kind: 'REVERSAL' as const,
  originalAmountMinor: 12800,
  currency: 'CNY',
  merchantName: 'Starbucks',
  merchantCity: 'Shanghai',
  authorisedAt: new Date('2026-12-07T06:05:00Z'),
  amountMinor: 12800,
  reversedInAllMinor: 12800,
  timeZone: 'Asia/Shanghai',
  locale: 'en',
};

describe('renderCorrectionText', () => {
  it('names the original and says in full (en, one GSM-7 segment)', () => {
    const out = renderCorrectionText(input);
    expect(out.body).toBe(
      'Alertline Bank: the CNY 128.00 payment at Starbucks, Shanghai on 7 Dec 14:05 with card ending 4242 was reversed in full. Questions? Call +44 20 7946 0000.',
    );
    expect(out).toMatchObject({ locale: 'en', encoding: 'GSM-7', segments: 1 });
  });

  it('says how much for a partial refund, and in all', () => {
    const out = renderCorrectionText({
      ...input,
      kind: 'PARTIAL_REFUND',
      amountMinor: 3000,
      reversedInAllMinor: 5000,
    });
    expect(out.body).toContain('was refunded by CNY 30.00 (CNY 50.00 in all)');
    expect(out.template.key).toBe('card_refunded_partial');
  });

  it('zh-CN: the bank prefix, the original and the partial amount', () => {
    const full = renderCorrectionText({ ...input, locale: 'zh-CN' });
    expect(full.body).toBe(
      '【Alertline Bank】您尾号4242的卡于12月7日 14:05在Starbucks, Shanghai消费CNY 128.00，已全额撤销。如有疑问，请致电+44 20 7946 0000。',
    );
    expect(full.encoding).toBe('UCS-2');
    const part = renderCorrectionText({
      ...input,
      locale: 'zh-CN',
      kind: 'PARTIAL_REFUND',
      amountMinor: 3000,
      reversedInAllMinor: 5000,
    });
    expect(part.body).toContain('已退款CNY 30.00，累计CNY 50.00');
  });

  it("is also the card_reversed_partial template with the same facts, in the locale's slot order", () => {
    const out = renderCorrectionText({
      ...input,
      locale: 'zh-CN',
      amountMinor: 3000,
      reversedInAllMinor: 3000,
      kind: 'PARTIAL_REVERSAL',
    });
    expect(out.template).toEqual({
      key: 'card_reversed_partial',
      locale: 'zh-CN',
      params: [
        { name: 'card', value: '4242' },
        { name: 'time', value: '12月7日 14:05' },
        { name: 'merchant', value: 'Starbucks, Shanghai' },
        { name: 'amount', value: 'CNY 128.00' },
        { name: 'reversed', value: 'CNY 30.00' },
        { name: 'total', value: 'CNY 30.00' },
        { name: 'phone', value: '+44 20 7946 0000' },
      ],
    });
    expect(out.body).toBe(`【Alertline Bank】${fillTemplate(out.template)}`);
  });

  it('a full reversal is card_reversed_full, without the partial slots', () => {
    const out = renderCorrectionText(input);
    expect(out.template.key).toBe('card_reversed_full');
    expect(out.template.params.map((p) => p.name)).toEqual(['amount', 'merchant', 'time', 'card', 'phone']);
    expect(out.body).toBe(`Alertline Bank: ${fillTemplate(out.template)}`);
  });

  it('the last of several partial reversals is still partial: it says how much this one gave back', () => {
    const out = renderCorrectionText({ ...input, amountMinor: 7800, reversedInAllMinor: 12800 });
    expect(out.template.key).toBe('card_reversed_partial');
    expect(out.body).toContain('was reversed by CNY 78.00 (CNY 128.00 in all)');
  });
});
