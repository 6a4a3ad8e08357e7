import {
  fillTencentTemplate,
  parseTencentTemplates,
  templateIdFor,
  tencentHandsetText,
  tencentSegments,
} from './tencent.templates';

describe('Tencent templates', () => {
  it('reads key:locale=id entries and finds an id by key and locale', () => {
    const ids = parseTencentTemplates(' card_authorised:zh-CN=1234567, card_authorised:en=1234568 ,', [
      'card_authorised',
    ]);
    expect(templateIdFor(ids, { key: 'card_authorised', locale: 'zh-CN', params: [] })).toBe('1234567');
    expect(templateIdFor(ids, { key: 'card_reversed', locale: 'en', params: [] })).toBeUndefined();
  });

  it('says what is wrong: a bad entry, a duplicate, a key in use without an id in a locale', () => {
    expect(() => parseTencentTemplates('card_authorised:fr=1')).toThrow('is not <template key>');
    expect(() => parseTencentTemplates('card_authorised:en=abc')).toThrow('is not <template key>');
    expect(() => parseTencentTemplates('card_authorised:en=1,card_authorised:en=2')).toThrow(
      'card_authorised:en is given twice',
    );
    expect(() => parseTencentTemplates('card_authorised:en=1', ['card_authorised'])).toThrow(
      'no TemplateId for card_authorised:zh-CN',
    );
    // By default every template the renderer has: the corrections' too.
    expect(() => parseTencentTemplates('card_authorised:en=1,card_authorised:zh-CN=2')).toThrow(
      /no TemplateId for card_reversed_full:en, card_reversed_full:zh-CN, .*card_refunded_partial:zh-CN/,
    );
    expect(() => parseTencentTemplates('', ['card_authorised', 'card_reversed'])).toThrow(
      'no TemplateId for card_authorised:en, card_authorised:zh-CN, card_reversed:en, card_reversed:zh-CN',
    );
  });

  it('fills {n} by position', () => {
    expect(fillTencentTemplate('尾号{1}的卡于{2}，{1}', ['4242', '12月7日'])).toBe(
      '尾号4242的卡于12月7日，4242',
    );
    expect(fillTencentTemplate('{3}', ['a'])).toBe('{3}');
  });

  it('the handset text fills our template by position (Tencent ignores param names), never throwing', () => {
    const params = ['4242', '12月7日 14:05', '星巴克', 'CNY 88.00', 'CNY 30.00', 'CNY 30.00', '95588'];
    const t = {
      key: 'card_refunded_partial',
      locale: 'zh-CN' as const,
      params: params.map((value, i) => ({ name: `p${i}`, value })),
    };
    expect(tencentHandsetText('X银行', t)).toBe(
      '【X银行】您尾号4242的卡于12月7日 14:05在星巴克消费CNY 88.00，已退款CNY 30.00，累计CNY 30.00。如有疑问，请致电95588。',
    );
    expect(tencentHandsetText('X银行', { ...t, params: t.params.slice(1) })).toBeUndefined();
    expect(tencentHandsetText('X银行', { ...t, key: 'nope' })).toBeUndefined();
  });

  it('counts as Tencent bills: 70 characters in one, then 67 a part, every character one', () => {
    expect(tencentSegments('字'.repeat(70))).toBe(1);
    expect(tencentSegments('字'.repeat(71))).toBe(2);
    expect(tencentSegments('a'.repeat(134))).toBe(2);
    expect(tencentSegments('a'.repeat(135))).toBe(3);
    expect(tencentSegments('😀'.repeat(70))).toBe(1);
  });
});
