import type { RenderedTemplate, TemplateParam } from './template.types';

// BRIDGE until rendering renders every alert as a RenderedTemplate and stores it (issue 12 item 3, the
// aliyun branch): the dispatcher recovers card_authorised's params from the stored body, which this folder's
// renderer (alert-text.ts) wrote, so template-only vendors (Tencent Cloud) can send today. The spec holds it
// to the renderer: for any alert, the params filled into the template give back the body. Delete this file
// and its call in delivery/route-trail.ts once the stored template is passed instead.

// `【bank】您尾号{card}的卡于{time}在{merchant}消费{amount}。如非本人操作，请致电{phone}。`
const ZH = /^【[^】]*】您尾号(\d{4})的卡于(.+?)在(.+)消费(.+?)。如非本人操作，请致电(.+)。$/su;
// `{bank}: card ending {card} was used for {amount} at {merchant} on {day month hh:mm}. Not you? Call {phone}.`
const EN =
  /^.*?: card ending (\d{4}) was used for (.+?) at (.+) on (\d{1,2} [A-Za-z]{3,4} \d{2}:\d{2})\. Not you\? Call (.+)\.$/su;

/** card_authorised as a template, from its rendered body; undefined when the body is not that alert's. */
export function alertTemplateFromBody(body: string, locale: 'en' | 'zh-CN'): RenderedTemplate | undefined {
  const zh = locale === 'zh-CN' ? ZH.exec(body) : null;
  if (zh) return template('zh-CN', ['card_last4', 'time', 'merchant', 'amount', 'bank_phone'], zh);
  const en = locale === 'en' ? EN.exec(body) : null;
  if (en) return template('en', ['card_last4', 'amount', 'merchant', 'time', 'bank_phone'], en);
  return undefined;
}

function template(locale: 'en' | 'zh-CN', names: string[], m: RegExpExecArray): RenderedTemplate {
  const params: TemplateParam[] = names.map((name, i) => ({ name, value: m[i + 1] }));
  return { key: 'card_authorised', locale, params };
}
