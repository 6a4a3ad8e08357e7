import { ExecutionContext, HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import fc from 'fast-check';
import { AuditEntry, AuditRepository } from '../audit/audit.repository';
import { Clock } from '../common/clock';
import { loadConfig } from '../providers/provider-config';
import { Metrics } from '../metrics/metrics.service';
import { ApiKeyGuard } from './api-key.guard';
import { RequestThrottle } from './request-throttle';

const SUPPORT_KEY = 'support-key-0123456789';
const LONG_PATH = `/v1/notifications/${'a'.repeat(16 * 1024)}`;

/** The guard over a recording audit log; `call` answers the HTTP status the guard leads to (200 if passed). */
function guardWith(env: Record<string, string> = {}) {
  const metrics = new Metrics();
  const config = loadConfig({ API_KEYS: `${SUPPORT_KEY}:support`, ...env });
  const rows: AuditEntry[] = [];
  const audit = { record: async (e: AuditEntry) => void rows.push(e) } as unknown as AuditRepository;
  const guard = new ApiKeyGuard(
    config,
    new Reflector(),
    audit,
    new Clock(),
    new RequestThrottle(config, metrics),
  );
  const headers: Record<string, string> = {};
  const call = async (opts: { key?: string; ip?: string; path?: string } = {}): Promise<number> => {
    const req = {
      method: 'GET',
      path: opts.path ?? LONG_PATH,
      ip: opts.ip ?? '192.0.2.10',
      header: (name: string) =>
        name === 'authorization' && opts.key !== undefined ? `Bearer ${opts.key}` : undefined,
    };
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) };
    const context = {
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
      getHandler: () => call,
      getClass: () => ApiKeyGuard,
    } as unknown as ExecutionContext;
    try {
      await guard.canActivate(context);
      return 200;
    } catch (err) {
      if (err instanceof HttpException) return err.getStatus();
      throw err;
    }
  };
  return { call, rows, headers, metrics };
}

describe('ApiKeyGuard: refused requests are throttled per source', () => {
  it('300 requests without a key and with a 16 KB path: 30 refused and audited, then 429s and one more row', async () => {
    const g = guardWith();
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) statuses.push(await g.call());
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(statuses.slice(30)).toEqual(Array(270).fill(429));
    const retryAfter = Number(g.headers['Retry-After']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(g.rows).toHaveLength(31);
    expect(g.rows.map((r) => r.outcome)).toEqual([...Array(30).fill('error 401'), 'error 429']);
    const throttled = (await g.metrics.refusedThrottled.get()).values.find((v) => v.labels.surface === 'api');
    expect(throttled?.value).toBe(270);
  });

  it('a throttled source is refused even with a valid key (guessing stops); other sources are not', async () => {
    const g = guardWith({ REFUSED_REQUESTS_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) expect(await g.call({ key: `guess-${i}-xxxxxxxxxxxx` })).toBe(401);
    expect(await g.call({ key: SUPPORT_KEY })).toBe(429);
    expect(await g.call({ key: SUPPORT_KEY, ip: '192.0.2.11' })).toBe(200);
  });

  it('never stores a presented key: an unknown one is named by an 8-hex fingerprint', () =>
    fc.assert(
      fc.asyncProperty(fc.string({ minLength: 12, maxLength: 200, unit: 'grapheme-ascii' }), async (raw) => {
        const key = raw.replace(/\s/g, 'x');
        fc.pre(key !== SUPPORT_KEY);
        const g = guardWith();
        expect(await g.call({ key, path: '/v1/notifications' })).toBe(401);
        expect(g.rows).toHaveLength(1);
        expect(g.rows[0].principal).toMatch(/^unknown-[0-9a-f]{8}$/);
        expect(JSON.stringify(g.rows[0])).not.toContain(key);
      }),
      { numRuns: 50 },
    ));

  it('an authenticated flood is bounded per API key (API_REQUESTS_PER_PRINCIPAL_PER_MINUTE): 429, audited once', async () => {
    const g = guardWith({ API_REQUESTS_PER_PRINCIPAL_PER_MINUTE: '5' });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push(await g.call({ key: SUPPORT_KEY, path: '/v1/notifications' }));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(g.rows).toHaveLength(1);
    expect(g.rows[0]).toMatchObject({ outcome: 'error 429', role: 'support' });
    expect(g.rows[0].principal).toMatch(/^key-[0-9a-f]{8}$/);
  });
});
