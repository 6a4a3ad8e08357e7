import { Metrics } from './metrics.service';

describe('Metrics.startAtZero', () => {
  it('exports every combination of the label values at 0', async () => {
    const metrics = new Metrics();
    metrics.startAtZero(metrics.routeChanges, {
      provider: ['twilio', 'vonage'],
      direction: ['demoted', 'restored'],
    });
    const { values } = await metrics.routeChanges.get();
    expect(values.map((v) => [v.labels, v.value])).toEqual([
      [{ provider: 'twilio', direction: 'demoted' }, 0],
      [{ provider: 'twilio', direction: 'restored' }, 0],
      [{ provider: 'vonage', direction: 'demoted' }, 0],
      [{ provider: 'vonage', direction: 'restored' }, 0],
    ]);
  });

  it('leaves a counted series as it is', async () => {
    const metrics = new Metrics();
    metrics.routeTrials.inc({ provider: 'smpp' }, 2);
    metrics.startAtZero(metrics.routeTrials, { provider: ['smpp', 'aliyun'] });
    const { values } = await metrics.routeTrials.get();
    expect(values.map((v) => [v.labels.provider, v.value])).toEqual([
      ['smpp', 2],
      ['aliyun', 0],
    ]);
  });
});
