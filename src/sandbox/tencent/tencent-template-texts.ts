// The approved template texts the sandbox renders, as a bank would register them with Tencent Cloud: one
// place, so that the renderer's own template definitions (src/rendering, issue 12 item 3) can replace it in
// a merge. `{n}` is the n-th of TemplateParamSet, in the order RenderedTemplate.params gives them. The
// zh-CN text is our zh-CN alert body without its 【bank】 prefix (the signature takes its place).
export const TENCENT_TEMPLATE_TEXTS: Readonly<Record<string, Readonly<Record<'en' | 'zh-CN', string>>>> = {
  card_authorised: {
    // card_last4, time, merchant, amount, bank_phone
    'zh-CN': '您尾号{1}的卡于{2}在{3}消费{4}。如非本人操作，请致电{5}。',
    // card_last4, amount, merchant, time, bank_phone
    en: 'Card ending {1} was used for {2} at {3} on {4}. Not you? Call {5}.',
  },
};
