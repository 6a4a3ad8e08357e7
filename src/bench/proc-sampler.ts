import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// CPU seconds and resident memory of the processes under test, read from /proc every 250 ms (Linux).

/** utime + stime in clock ticks, from /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function parseStatTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(fields[11]) + Number(fields[12]);
}

/** VmRSS and VmHWM (the kernel's own peak) in bytes, from /proc/<pid>/status; 0 when absent (a zombie). */
export function parseStatusMemory(status: string): { rss: number; hwm: number } {
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
export function parseMachineStat(stat: string): { busy: number; total: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = stat
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + (steal || 0);
  return { busy, total: busy + idle + iowait };
}

/**
 * Which shared-infrastructure group a process belongs to, by its command line. Postgres client backends
 * count only when they serve the run's database (other work on this machine uses the same server); the
 * server's own processes (WAL writer, checkpointer, ...) always count.
 */
export function infraGroup(comm: string, cmdline: string, database: string): string | null {
  if (comm === 'postgres') {
    const clientBackend = /\(\d+\)/.test(cmdline);
    return !clientBackend || cmdline.includes(` ${database} `) ? 'postgres' : null;
  }
  if (comm.startsWith('redis-server')) return 'redis';
  if (comm === 'java' && cmdline.includes('kafka.Kafka')) return 'kafka';
  return null;
}

export interface GroupUsage {
  group: string;
  processes: number;
  cpuSeconds: number;
  /** Largest single process, by the most we sampled or the kernel's VmHWM. */
  peakRssMb: number;
  /** Largest sum over the group's processes at one sample. */
  peakRssTotalMb: number;
  /** Per second: the share of one core the group used (100 = one core busy). */
  cpuPercent: number[];
}

interface Tracked {
  group: string;
  first: number;
  last: number;
  peak: number;
}

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

export class ProcSampler {
  private readonly ticksPerSecond: number;
  private readonly tracked = new Map<number, Tracked>();
  private readonly groupPeakTotal = new Map<string, number>();
  private readonly perSecond = new Map<string, number[]>();
  private readonly secondStart = new Map<string, number>();
  /** Pids of other programs, so /proc is not read for them again every sample. */
  private readonly ignored = new Set<number>();
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private stoppedAt = 0;
  private machineStart?: { busy: number; total: number };
  private machineEnd?: { busy: number; total: number };

  /** `roles`: known pids by group (role processes); the infrastructure is found in /proc by its command line. */
  constructor(
    private readonly roles: () => Array<{ group: string; pid: number | undefined }>,
    private readonly database: string,
    private readonly intervalMs = 250,
  ) {
    this.ticksPerSecond = clockTicks();
  }

  start(): void {
    this.startedAt = Date.now();
    this.machineStart = parseMachineStat(read('/proc/stat') ?? 'cpu 0 0 0 0 0 0 0 0');
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), this.intervalMs);
  }

  stop(): GroupUsage[] {
    if (this.timer) clearInterval(this.timer);
    this.sample(false);
    this.stoppedAt = Date.now();
    this.machineEnd = parseMachineStat(read('/proc/stat') ?? 'cpu 0 0 0 0 0 0 0 0');
    const groups = new Map<string, GroupUsage>();
    for (const t of this.tracked.values()) {
      const g = groups.get(t.group) ?? this.emptyGroup(t.group);
      g.processes++;
      g.cpuSeconds += (t.last - t.first) / this.ticksPerSecond;
      g.peakRssMb = Math.max(g.peakRssMb, t.peak / 2 ** 20);
      groups.set(t.group, g);
    }
    return [...groups.values()];
  }

  /** Length of the sampled window. */
  elapsedSeconds(): number {
    return ((this.stoppedAt || Date.now()) - this.startedAt) / 1000;
  }

  /** Cores the whole machine kept busy on average during the window (other users included). */
  machineBusyCores(cores: number): number {
    if (!this.machineStart || !this.machineEnd) return 0;
    const total = this.machineEnd.total - this.machineStart.total;
    return total > 0 ? ((this.machineEnd.busy - this.machineStart.busy) / total) * cores : 0;
  }

  private emptyGroup(group: string): GroupUsage {
    return {
      group,
      processes: 0,
      cpuSeconds: 0,
      peakRssMb: 0,
      peakRssTotalMb: (this.groupPeakTotal.get(group) ?? 0) / 2 ** 20,
      cpuPercent: (this.perSecond.get(group) ?? []).map((t) => (t / this.ticksPerSecond) * 100),
    };
  }

  private sample(baseline: boolean): void {
    const totals = new Map<string, number>();
    const ticksNow = new Map<string, number>();
    for (const { pid, group } of this.processes()) {
      const stat = read(`/proc/${pid}/stat`);
      const status = read(`/proc/${pid}/status`);
      if (!stat || !status) continue;
      const ticks = parseStatTicks(stat);
      const mem = parseStatusMemory(status);
      // A process first seen after the start (a new database backend) began near zero.
      const t = this.tracked.get(pid) ?? { group, first: baseline ? ticks : 0, last: ticks, peak: 0 };
      t.last = ticks;
      t.peak = Math.max(t.peak, mem.rss, mem.hwm);
      this.tracked.set(pid, t);
      totals.set(group, (totals.get(group) ?? 0) + mem.rss);
    }
    for (const t of this.tracked.values())
      ticksNow.set(t.group, (ticksNow.get(t.group) ?? 0) + t.last - t.first);
    for (const [group, total] of totals)
      this.groupPeakTotal.set(group, Math.max(this.groupPeakTotal.get(group) ?? 0, total));
    this.recordSecond(ticksNow);
  }

  /** Splits each group's CPU into whole seconds since the start, for the utilisation series. */
  private recordSecond(ticksNow: Map<string, number>): void {
    const second = Math.floor((Date.now() - this.startedAt) / 1000);
    for (const [group, ticks] of ticksNow) {
      const series = this.perSecond.get(group) ?? [];
      while (series.length <= second) series.push(0);
      const before = this.secondStart.get(group) ?? 0;
      series[second] += ticks - before;
      this.secondStart.set(group, ticks);
      this.perSecond.set(group, series);
    }
  }

  private processes(): Array<{ pid: number; group: string }> {
    const found = this.roles().filter((r): r is { group: string; pid: number } => r.pid !== undefined);
    const known = new Set(found.map((r) => r.pid));
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!/^\d+$/.test(entry) || known.has(pid) || this.ignored.has(pid)) continue;
      const comm = read(`/proc/${entry}/comm`)?.trim();
      if (!comm || !(comm === 'postgres' || comm === 'java' || comm.startsWith('redis-server'))) {
        this.ignored.add(pid);
        continue;
      }
      const group = infraGroup(
        comm,
        (read(`/proc/${entry}/cmdline`) ?? '').replace(/\0/g, ' '),
        this.database,
      );
      if (group) found.push({ pid, group });
    }
    return found;
  }
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
