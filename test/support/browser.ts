import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

// Debian's chromium (deploy/browser.sh installs it), never a browser downloaded by Playwright.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Git-ignored; the screenshots are there to be looked at after a run. */
export const SCREENSHOTS = path.resolve(__dirname, '../../test-output/console');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run deploy/browser.sh (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/** A fresh tab (its own sessionStorage) that may use the clipboard, on the console page. */
export async function openConsole(browser: Browser, apiUrl: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  // A page error (a script that threw) would otherwise only show up as a missing element.
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // Chromium logs every 4xx answer as "Failed to load resource"; the 401 of a bad key is one of them.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
  });
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(`${apiUrl}/console`);
  return page;
}

export function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

export async function useKey(page: Page, key: string): Promise<void> {
  await page.fill('#key', key);
  await page.click('#keyForm button[type=submit]');
}

export async function searchBy(
  page: Page,
  mode: 'transactionId' | 'cardholderId' | 'cardLast4',
  value: string,
) {
  await page.selectOption('#mode', mode);
  await page.fill('#value', value);
  await page.click('#searchForm button[type=submit]');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The timeline as the agent reads it: one [at, after previous, event, detail] per step. */
export async function timeline(page: Page): Promise<string[][]> {
  return page.$$eval('#timeline tr', (rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
  );
}
