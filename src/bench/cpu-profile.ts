import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Where a role spent its CPU: self time per function from a V8 .cpuprofile (node --cpu-prof), optionally
// only the samples inside the measured window (the profile's clock is the monotonic clock that
// process.hrtime reads, in microseconds), and the same grouped by package.

export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Sampled milliseconds inside the window, idle included. */
  sampledMs: number;
  /** Sampled milliseconds not idle. */
  busyMs: number;
  windowed: boolean;
  functions: SelfTime[];
  packages: SelfTime[];
  /**
   * Each sample charged to the nearest Alertline function on its stack (library and native time included):
   * which of our code paths the time is spent for.
   */
  appFrames: SelfTime[];
}

/** `node_modules/pg/lib/client.js` -> `pg`; node's own code -> `node`; ours -> `alertline`. */
export function packageOf(url: string): string {
  if (!url) return '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.replace(/\\/g, '/'));
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node';
  return url.includes('/dist/') || url.includes('/src/') ? 'alertline' : url;
}

function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const fn = frame.functionName || '(anonymous)';
  if (!frame.url) return fn;
  const url = frame.url.replace(/^file:\/\//, '');
  const file = url.includes('/node_modules/')
    ? url.replace(/^.*\/node_modules\//, '')
    : url.replace(/^.*\/dist\//, 'dist/');
  return `${fn} ${file}:${frame.lineNumber + 1}`;
}

const IDLE = new Set(['(idle)', '(program)']);

/** Self time per function and per package, top `top` of each; `windowUs` keeps samples inside [from, to]. */
export function summariseProfile(
  profile: CpuProfile,
  file: string,
  top = 15,
  windowUs?: [number, number],
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const appFrameOf = nearestAppFrames(profile);
  const inWindow = (t: number) => !windowUs || (t >= windowUs[0] && t <= windowUs[1]);
  // Keep the whole profile when the window misses it entirely (clocks not comparable): better than nothing.
  const windowed = !!windowUs && windowUs[0] < profile.endTime && windowUs[1] > profile.startTime;
  const fnTime = new Map<string, number>();
  const pkgTime = new Map<string, number>();
  const appTime = new Map<string, number>();
  let sampled = 0;
  let idle = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (windowed && !inWindow(t)) continue;
    const frame = byId.get(profile.samples[i]);
    if (!frame) continue;
    sampled += dt;
    if (IDLE.has(frame.functionName)) {
      idle += dt;
      continue;
    }
    const name = frameName(frame);
    fnTime.set(name, (fnTime.get(name) ?? 0) + dt);
    const pkg = frame.functionName === '(garbage collector)' ? '(garbage collector)' : packageOf(frame.url);
    pkgTime.set(pkg, (pkgTime.get(pkg) ?? 0) + dt);
    const app = appFrameOf.get(profile.samples[i]) ?? '(no Alertline frame)';
    appTime.set(app, (appTime.get(app) ?? 0) + dt);
  }
  const busy = sampled - idle;
  const rank = (m: Map<string, number>): SelfTime[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 100) / 10,
        percent: busy > 0 ? Math.round((us / busy) * 1000) / 10 : 0,
      }));
  return {
    file,
    sampledMs: Math.round(sampled / 1000),
    busyMs: Math.round(busy / 1000),
    windowed,
    functions: rank(fnTime),
    packages: rank(pkgTime),
    appFrames: rank(appTime),
  };
}

/** For every node, the name of the nearest frame (itself or an ancestor) in Alertline's own code. */
function nearestAppFrames(profile: CpuProfile): Map<number, string> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const found = new Map<number, string>();
  const resolve = (id: number): string | undefined => {
    const path: number[] = [];
    let at: number | undefined = id;
    let name: string | undefined;
    while (at !== undefined) {
      if (found.has(at)) {
        name = found.get(at);
        break;
      }
      path.push(at);
      const frame = byId.get(at);
      if (frame && packageOf(frame.url) === 'alertline') {
        name = frameName(frame);
        break;
      }
      at = parent.get(at);
    }
    for (const p of path) if (name !== undefined) found.set(p, name);
    return name;
  };
  for (const n of profile.nodes) resolve(n.id);
  return found;
}

/** Every .cpuprofile under `dir` (one sub-directory per role process), summarised. */
export function summariseDir(
  dir: string,
  windowUs?: [number, number],
  top = 15,
): Array<{ process: string } & ProfileSummary> {
  const out: Array<{ process: string } & ProfileSummary> = [];
  for (const sub of readdirSync(dir, { withFileTypes: true })) {
    if (!sub.isDirectory()) continue;
    for (const f of readdirSync(path.join(dir, sub.name)).filter((n) => n.endsWith('.cpuprofile'))) {
      const file = path.join(dir, sub.name, f);
      const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
      out.push({ process: sub.name, ...summariseProfile(profile, file, top, windowUs) });
    }
  }
  return out.sort((a, b) => a.process.localeCompare(b.process));
}
