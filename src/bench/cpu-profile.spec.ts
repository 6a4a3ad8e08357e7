import { CpuProfile, packageOf, summariseProfile } from './cpu-profile';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

// Samples every 1000 us from t=1000: ids 2,2,3,4,5,2,3 (the last sample has no duration after it).
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [3, 4, 5] },
    { id: 2, callFrame: frame('parse', 'file:///app/node_modules/pg-protocol/dist/parser.js', 9) },
    {
      id: 3,
      callFrame: frame('handleChunk', 'file:///app/dist/ingest/ingest.service.js', 40),
      children: [2],
    },
    { id: 4, callFrame: frame('(idle)') },
    { id: 5, callFrame: frame('(garbage collector)') },
  ],
  startTime: 0,
  endTime: 8000,
  samples: [2, 2, 3, 4, 5, 2, 3],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('cpu profile summary', () => {
  it('adds self time per function and per package, idle left out of the busy share', () => {
    const s = summariseProfile(profile, 'x.cpuprofile');
    expect(s.sampledMs).toBe(6);
    expect(s.busyMs).toBe(5);
    expect(s.functions[0]).toEqual({ name: 'parse pg-protocol/dist/parser.js:10', ms: 3, percent: 60 });
    expect(s.functions.map((f) => f.name)).toContain('handleChunk dist/ingest/ingest.service.js:41');
    expect(s.packages).toEqual([
      { name: 'pg-protocol', ms: 3, percent: 60 },
      { name: 'alertline', ms: 1, percent: 20 },
      { name: '(garbage collector)', ms: 1, percent: 20 },
    ]);
  });

  it('charges library time to the nearest Alertline function on the stack', () => {
    expect(summariseProfile(profile, 'x.cpuprofile').appFrames).toEqual([
      { name: 'handleChunk dist/ingest/ingest.service.js:41', ms: 4, percent: 80 },
      { name: '(no Alertline frame)', ms: 1, percent: 20 },
    ]);
  });

  it('keeps only the samples inside the measured window', () => {
    const s = summariseProfile(profile, 'x.cpuprofile', 10, [3500, 6500]);
    expect(s.windowed).toBe(true);
    // Samples at t=4000 (idle), 5000 (gc), 6000 (parse).
    expect(s.sampledMs).toBe(3);
    expect(s.packages.map((p) => p.name)).toEqual(['(garbage collector)', 'pg-protocol']);
  });

  it('falls back to the whole profile when the window does not overlap it', () => {
    expect(summariseProfile(profile, 'x', 10, [10_000_000, 20_000_000])).toMatchObject({
      windowed: false,
      sampledMs: 6,
    });
  });

  it('names packages, scoped ones included', () => {
    expect(packageOf('file:///w/node_modules/@nestjs/core/router/x.js')).toBe('@nestjs/core');
    expect(packageOf('file:///w/node_modules/bull/lib/queue.js')).toBe('bull');
    expect(packageOf('node:internal/streams/readable')).toBe('node');
    expect(packageOf('file:///w/main/dist/delivery/send-recorder.js')).toBe('alertline');
    expect(packageOf('')).toBe('(native)');
  });
});
