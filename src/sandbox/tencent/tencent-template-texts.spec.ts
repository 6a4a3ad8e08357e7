import {
  TEMPLATE_KEYS,
  TEMPLATE_LOCALES,
  TEMPLATE_TEXTS,
  templateSlots,
} from '../../rendering/alert-template';
import { TENCENT_TEMPLATE_TEXTS } from './tencent-template-texts';

describe('TENCENT_TEMPLATE_TEXTS', () => {
  it.each(TEMPLATE_KEYS)('%s: {1}..{n} once each, n = the params our template sends', (key) => {
    for (const locale of TEMPLATE_LOCALES) {
      const text = TENCENT_TEMPLATE_TEXTS[key][locale];
      const numbers = [...text.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1]));
      const n = templateSlots(TEMPLATE_TEXTS[key][locale]).length;
      expect(numbers).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect(text).not.toContain('${');
    }
  });
});
