import { ConfigError } from '../config/config.schema';
import { refuseInProduction } from './sandbox.app';

describe('sandbox start-up', () => {
  it('refuses NODE_ENV=production only', () => {
    expect(() => refuseInProduction('production')).toThrow(ConfigError);
    expect(() => refuseInProduction('production')).toThrow(/role sandbox/);
    expect(() => refuseInProduction('development')).not.toThrow();
    expect(() => refuseInProduction('test')).not.toThrow();
  });
});
