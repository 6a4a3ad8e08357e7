import { TEMPLATE_TEXTS, templateSlots } from '../../rendering/alert-template';

// The approved template texts the sandbox renders, as a bank registers them with Tencent Cloud: the
// product's own templates (src/rendering/alert-template.ts) with each `${name}` slot numbered `{n}` in the
// order the text uses them, which is the order RenderedTemplate.params (TemplateParamSet) gives them.
const numbered = (text: string): string => {
  const slots = templateSlots(text);
  return text.replace(/\$\{([A-Za-z][A-Za-z0-9_]*)\}/g, (_, name: string) => `{${slots.indexOf(name) + 1}}`);
};

export const TENCENT_TEMPLATE_TEXTS: Readonly<Record<string, Readonly<Record<'en' | 'zh-CN', string>>>> =
  Object.fromEntries(
    Object.entries(TEMPLATE_TEXTS).map(([key, byLocale]) => [
      key,
      { en: numbered(byLocale.en), 'zh-CN': numbered(byLocale['zh-CN']) },
    ]),
  );
