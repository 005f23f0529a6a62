import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';

/** One server process the load test watches. */
export interface WatchedProcess {
  name: string;
  pid: number;
}

/** CPU and memory of one process at one moment. */
export interface ProcessSample {
  /** Seconds since sampling started. */
  t: number;
  /** CPU time used since the previous sample, as a percentage of one core. */
  cpuPct: number;
  /** Resident memory, in MiB. */
  rssMiB: number;
}

export interface ProcessSeries {
  name: string;
  pid: number;
  samples: ProcessSample[];
}

/** Linux reports CPU times in clock ticks; 100 per second on every common kernel build. */
const CLOCK_TICKS_PER_SEC = 100;

/** Reads the user plus system CPU ticks and resident memory of a pid, or null once it is gone. */
export function readProcess(pid: number): { cpuTicks: number; rssKiB: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces; fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return { cpuTicks, rssKiB: rss ? Number(rss[1]) : 0 };
  } catch {
    return null;
  }
}

/**
 * The Node processes this process spawned, named after the entry file they run, e.g.
 * `game-server` for `game-server/src/main.ts` and `auth` for `services/src/auth/main.ts`.
 */
export function spawnedServers(parentPid = process.pid): WatchedProcess[] {
  const found: WatchedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parentPid) continue;
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const script = argv.find((arg) => arg.endsWith('.ts'));
      if (script) found.push({ name: serverName(script), pid });
    } catch {
      // The process exited while being read.
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

function serverName(script: string): string {
  const parts = script.split('/');
  const file = parts.at(-1)!.replace(/\.ts$/, '');
  const folder = parts.at(-2) ?? file;
  if (folder === 'src') return parts.at(-3) ?? file;
  return file === 'main' ? folder : `${folder}-${file}`;
}

/** Samples the watched processes (and the load generator itself) every `intervalMs`. */
export class ProcessSampler {
  private readonly series: ProcessSeries[];
  private readonly last = new Map<number, { cpuTicks: number; at: number }>();
  private readonly startedAt = performance.now();
  private timer: NodeJS.Timeout | null = null;

  constructor(processes: readonly WatchedProcess[]) {
    this.series = processes.map(({ name, pid }) => ({ name, pid, samples: [] }));
  }

  start(intervalMs = 1_000): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): ProcessSeries[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.series;
  }

  private sample(): void {
    const now = performance.now();
    for (const series of this.series) {
      const reading = readProcess(series.pid);
      if (!reading) continue;
      const previous = this.last.get(series.pid);
      this.last.set(series.pid, { cpuTicks: reading.cpuTicks, at: now });
      if (!previous || now - previous.at < 100) continue;
      const cpuSec = (reading.cpuTicks - previous.cpuTicks) / CLOCK_TICKS_PER_SEC;
      series.samples.push({
        t: Math.round((now - this.startedAt) / 100) / 10,
        cpuPct: Math.round((cpuSec / ((now - previous.at) / 1000)) * 1000) / 10,
        rssMiB: Math.round(reading.rssKiB / 102.4) / 10,
      });
    }
  }
}

/** The whole machine at one moment: other work on it shows here, not in the watched pids. */
export interface MachineSample {
  t: number;
  /** Share of all cores busy since the previous sample, in percent. */
  cpuBusyPct: number;
  /** One-minute load average. */
  loadAvg1: number;
}

/** Reads the busy and total jiffies of all cores from /proc/stat. */
function readMachineCpu(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Samples machine CPU and load average every `intervalMs`. */
export class MachineSampler {
  readonly samples: MachineSample[] = [];
  private readonly startedAt = performance.now();
  private previous = readMachineCpu();
  private timer: NodeJS.Timeout | null = null;

  start(intervalMs = 1_000): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): MachineSample[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.samples;
  }

  private sample(): void {
    const now = readMachineCpu();
    const before = this.previous;
    this.previous = now;
    if (!now || !before || now.total === before.total) return;
    this.samples.push({
      t: Math.round((performance.now() - this.startedAt) / 100) / 10,
      cpuBusyPct: Math.round(((now.busy - before.busy) / (now.total - before.total)) * 1000) / 10,
      loadAvg1: Math.round(loadavg()[0]! * 100) / 100,
    });
  }
}
