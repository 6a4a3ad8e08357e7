import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from './openapi.document';

// Beside this file, from source and from the build alike: tsc copies no assets, so `npm run build` copies
// them into dist/support/ (the image holds dist/ only, no src/support/). No fallback to src/: a build that
// lost them must fail at start-up here, not work on a developer's machine and break in the image.
// Kept as five files to edit, served as one self-contained page.
const PAGE_DIRS = [__dirname];
const SCRIPTS = ['console.explain.js', 'console.view.js', 'console.js'];

/** The page and a Content-Security-Policy that allows exactly its own inline script and style, nothing else. */
export function loadConsolePage(dirs = PAGE_DIRS): { html: string; csp: string } {
  const dir = dirs.find((d) => existsSync(join(d, 'console.html')));
  if (!dir) {
    throw new Error(
      `support console page not found (looked in ${dirs.join(', ')}; \`npm run build\` copies it to dist/support/)`,
    );
  }
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  // Replacer functions, so that `$&` and the like in the sources are not read as replacement patterns.
  const html = read('console.html')
    .replace('/* console.css */', () => read('console.css'))
    .replace('/* console.js */', () => SCRIPTS.map(read).join('\n'));
  const hashes = (tag: string) =>
    [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))]
      .map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`)
      .join(' ');
  const csp = [
    "default-src 'none'",
    `script-src ${hashes('script')}`,
    `style-src ${hashes('style')}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

/** GET /openapi.json and GET /console: public, they carry no alert data (the console asks /v1 for that). */
@Controller()
export class ConsoleController {
  private readonly document = openApiDocument();
  private readonly page = loadConsolePage();

  @Get('openapi.json')
  openapi(): Record<string, unknown> {
    return this.document;
  }

  @Get('console')
  @Header('Cache-Control', 'no-store')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  console(@Res({ passthrough: true }) res: Response): string {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Security-Policy', this.page.csp);
    return this.page.html;
  }
}
