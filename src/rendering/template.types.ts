/**
 * An alert as a template: what template-only vendors (Aliyun, Tencent Cloud) send. Each vendor maps
 * key + locale onto its own pre-approved template code or id (configuration) and adds its signature.
 */
export interface RenderedTemplate {
  /** Our template name, the same for every vendor: 'card_authorised', 'card_reversed_full', ... */
  key: string;
  locale: 'en' | 'zh-CN';
  /** In the template's own order: Aliyun sends them by name, Tencent by position. */
  params: TemplateParam[];
}

export interface TemplateParam {
  name: string;
  value: string;
}
