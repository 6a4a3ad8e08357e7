import {
  fillTemplate,
  TEMPLATE_KEYS,
  TEMPLATE_LOCALES,
  TEMPLATE_TEXTS,
  templateSlots,
} from './alert-template';
import { CorrectionKind, renderCorrectionText } from './correction-text';
import { CORRECTION_FACTS } from './testing/correction-facts';

// The facts an alert or a correction may carry as template variables: data, never wording (a vendor's
// template review refuses a variable that could carry any text).
const DATA_SLOTS = new Set(['card', 'time', 'merchant', 'amount', 'reversed', 'total', 'phone']);

describe('TEMPLATE_TEXTS', () => {
  it.each(TEMPLATE_KEYS)('%s has every locale, the same data slots in each, none twice', (key) => {
    const byLocale = TEMPLATE_TEXTS[key];
    expect(Object.keys(byLocale).sort()).toEqual([...TEMPLATE_LOCALES].sort());
    const slotSets = TEMPLATE_LOCALES.map((l) => {
      const slots = templateSlots(byLocale[l]);
      // Tencent fills by position {1}..{n}: a repeated slot would need its value twice.
      expect(new Set(slots).size).toBe(slots.length);
      for (const s of slots) expect(DATA_SLOTS).toContain(s);
      return [...slots].sort();
    });
    expect(slotSets[1]).toEqual(slotSets[0]);
  });

  it('has a full and a partial template for reversals and for refunds', () => {
    expect(TEMPLATE_KEYS).toEqual(
      expect.arrayContaining([
        'card_authorised',
        'card_reversed_full',
        'card_reversed_partial',
        'card_refunded_full',
        'card_refunded_partial',
      ]),
    );
    for (const key of ['card_reversed_full', 'card_refunded_full'])
      expect(templateSlots(TEMPLATE_TEXTS[key].en)).not.toContain('reversed');
    for (const key of ['card_reversed_partial', 'card_refunded_partial'])
      expect(templateSlots(TEMPLATE_TEXTS[key]['zh-CN'])).toEqual(
        expect.arrayContaining(['reversed', 'total']),
      );
  });

  const cases: Array<[CorrectionKind, number, number, string]> = [
    ['REVERSAL', 12800, 12800, 'card_reversed_full'],
    ['PARTIAL_REVERSAL', 3000, 3000, 'card_reversed_partial'],
    ['REFUND', 12800, 12800, 'card_refunded_full'],
    ['PARTIAL_REFUND', 3000, 5000, 'card_refunded_partial'],
    // The last of two partial refunds brings the total to the original: still "how much this time".
    ['PARTIAL_REFUND', 7800, 12800, 'card_refunded_partial'],
  ];
  it.each(TEMPLATE_LOCALES)(
    'every correction renders a registered template with its slots (%s)',
    (locale) => {
      for (const [kind, amountMinor, reversedInAllMinor, key] of cases) {
        const out = renderCorrectionText({
          ...CORRECTION_FACTS,
          kind,
          amountMinor,
          reversedInAllMinor,
          locale,
        });
        expect(out.template.key).toBe(key);
        expect(out.template.params.map((p) => p.name)).toEqual(templateSlots(TEMPLATE_TEXTS[key][locale]));
        expect(out.body.endsWith(fillTemplate(out.template))).toBe(true);
      }
    },
  );
});
