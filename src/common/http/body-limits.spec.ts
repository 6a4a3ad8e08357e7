import { loadConfig } from '../../providers/provider-config';
import { bodyRouteFor, httpLimitsFrom } from './body-limits';

describe('body limit per route', () => {
  const { routes, maxUrlBytes } = httpLimitsFrom(loadConfig({}));
  const settingFor = (path: string) => bodyRouteFor(path, routes).setting;

  it('gives each route class its own limit, the most specific prefix first', () => {
    expect(settingFor('/webhooks/twilio/status')).toBe('HTTP_WEBHOOK_BODY_MAX_BYTES');
    expect(settingFor('/v1/reconciliations')).toBe('RECONCILIATION_JSON_MAX_BYTES');
    expect(settingFor('/v1/reconciliations/')).toBe('RECONCILIATION_JSON_MAX_BYTES');
    expect(settingFor('/v1/notifications/x/resend')).toBe('HTTP_SUPPORT_BODY_MAX_BYTES');
    expect(settingFor('/health/live')).toBe('HTTP_BODY_MAX_BYTES');
    expect(maxUrlBytes).toBe(8192);
  });

  it('matches whole path segments, ignoring letter case as Express routing does', () => {
    expect(settingFor('/V1/RECONCILIATIONS')).toBe('RECONCILIATION_JSON_MAX_BYTES');
    expect(settingFor('/Webhooks/vonage/dlr')).toBe('HTTP_WEBHOOK_BODY_MAX_BYTES');
    // A look-alike prefix does not borrow the larger reconciliation limit.
    expect(settingFor('/v1/reconciliationsX')).toBe('HTTP_SUPPORT_BODY_MAX_BYTES');
    expect(settingFor('/v10/anything')).toBe('HTTP_BODY_MAX_BYTES');
  });

  it('reads the limits from the settings, refusing values outside their bounds', () => {
    const limits = httpLimitsFrom(loadConfig({ HTTP_WEBHOOK_BODY_MAX_BYTES: '2048' }));
    expect(bodyRouteFor('/webhooks/x', limits.routes).limit).toBe(2048);
    expect(() => loadConfig({ HTTP_WEBHOOK_BODY_MAX_BYTES: '10' })).toThrow(/HTTP_WEBHOOK_BODY_MAX_BYTES/);
    expect(() => loadConfig({ HTTP_MAX_URL_BYTES: '65536' })).toThrow(/HTTP_MAX_URL_BYTES/);
    expect(() => loadConfig({ RECONCILIATION_MAX_ROWS: '0' })).toThrow(/RECONCILIATION_MAX_ROWS/);
  });
});
