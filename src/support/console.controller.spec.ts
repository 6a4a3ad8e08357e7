import { createHash } from 'node:crypto';
import { loadConsolePage } from './console.controller';

const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

describe('support console page', () => {
  const { html, csp } = loadConsolePage();

  it('allows exactly its own inline script and style, and nothing from elsewhere', () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    expect(csp).toContain(`script-src ${sha(script)};`);
    expect(csp).toContain(`style-src ${sha(style)};`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
  });

  it('is served as one page with its style and script inlined', () => {
    expect(html).not.toContain('/* console.css */');
    expect(html).not.toContain('/* console.js */');
    expect(html).toContain("const RESENDABLE = ['FAILED', 'UNDELIVERED', 'EXPIRED'];");
  });

  it('is self-contained and never renders data as markup', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    // The key lives in this tab only.
    expect(html).toContain('sessionStorage');
    expect(html).not.toContain('localStorage');
  });

  it('fails loudly when the page is missing', () => {
    expect(() => loadConsolePage(['/nonexistent'])).toThrow(/support console page not found/);
  });
});
