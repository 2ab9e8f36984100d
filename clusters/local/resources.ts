// Per-process CPU and memory from /proc, sampled over a window. CPU is utime+stime deltas (clock ticks) divided by
// wall time, so 1.0 means one core busy; peak is the highest rate between two consecutive samples. Memory is the
// highest VmRSS seen (VmHWM would include the warm-up and start-up, which the window must not).
import { readFileSync } from 'node:fs';
import type { ProcessResources } from '../../reports/schema.ts';

const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux architecture we run on (getconf CLK_TCK)

export interface SampledProcess {
  pod: string;
  process: string;
  role: ProcessResources['role'];
  pid: number;
}

interface Sample {
  at: number;
  ticks: number;
  rss: number;
}

/** Reads total CPU ticks (user+system) and resident memory in bytes; null once the process is gone. */
export function readProc(pid: number): { ticks: number; rss: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { ticks, rss: rssKb * 1024 };
  } catch {
    return null;
  }
}

export class ResourceSampler {
  private readonly samples = new Map<number, Sample[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly processes: SampledProcess[],
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  private sample(): void {
    const at = performance.timeOrigin + performance.now();
    for (const p of this.processes) {
      const r = readProc(p.pid);
      if (!r) continue;
      let list = this.samples.get(p.pid);
      if (!list) this.samples.set(p.pid, (list = []));
      list.push({ at, ...r });
    }
  }

  /** Stops sampling and summarizes the samples taken within [fromMs, toMs] (epoch ms). */
  stop(fromMs = 0, toMs = Infinity): ProcessResources[] {
    clearInterval(this.timer);
    this.sample();
    return this.processes.map((p) => {
      const all = this.samples.get(p.pid) ?? [];
      const inWindow = all.filter((s) => s.at >= fromMs - this.intervalMs && s.at <= toMs + this.intervalMs);
      let peak = 0;
      for (let i = 1; i < inWindow.length; i++) {
        const dt = (inWindow[i].at - inWindow[i - 1].at) / 1000;
        if (dt > 0) peak = Math.max(peak, (inWindow[i].ticks - inWindow[i - 1].ticks) / CLOCK_TICKS / dt);
      }
      const first = inWindow[0];
      const last = inWindow[inWindow.length - 1];
      const span = first && last ? (last.at - first.at) / 1000 : 0;
      const mean = span > 0 ? (last.ticks - first.ticks) / CLOCK_TICKS / span : 0;
      return {
        pod: p.pod,
        process: p.process,
        role: p.role,
        cpuMeanCores: round(mean),
        cpuPeakCores: round(Math.max(peak, mean)),
        rssPeakBytes: inWindow.reduce((m, s) => Math.max(m, s.rss), 0),
        samples: inWindow.length,
      };
    });
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
