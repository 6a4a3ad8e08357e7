import { floorCeiling } from './bench.report';
import type { FloorResult } from './floor';

const floor = (cpuMsPerItem: Record<string, number>): FloorResult => ({
  what: 'x',
  items: 1000,
  seconds: 1,
  rate: 1000,
  processes: 1,
  concurrency: 1,
  cpuMsPerItem,
});

describe('floorCeiling', () => {
  it('adds up the floors on the shared cores, counting the HTTP round trip once per request of an alert', () => {
    const ceiling = floorCeiling(
      {
        kafkaConsume: floor({ workers: 0.03, kafka: 0.01 }),
        postgresInsert: floor({ workers: 0.02, postgres: 0.02 }),
        bullJobs: floor({ workers: 0.1, redis: 0.02 }),
        httpSend: floor({ workers: 0.3, sandbox: 0.2 }),
      },
      2,
      500,
    );
    // 0.04 + 0.04 + 0.12 + 3 x 0.5 = 1.7 ms an alert; two cores give 2000 / 1.7 alerts a second.
    expect(ceiling.cpuMsPerAlert).toBeCloseTo(1.7, 6);
    expect(ceiling.alertsPerSecond).toBeCloseTo(2000 / 1.7, 6);
    expect(ceiling.throughputRatio).toBeCloseTo(500 / (2000 / 1.7), 6);
  });
});
