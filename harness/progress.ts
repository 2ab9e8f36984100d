// Progress of a run: on a terminal, a live status block redrawn in place; elsewhere (CI, pipes), plain log lines.
import type { LoadProgress } from '../workloads/load/types.ts';

export interface ProgressState {
  step: string;
  mesh?: string;
  rps?: number;
  rep?: number;
  reps?: number;
  done: number;
  total: number;
}

export class Progress {
  private readonly tty: boolean;
  private readonly started = Date.now();
  private state: ProgressState;
  private load?: LoadProgress;
  private lastPlain = 0;
  private drawn = 0;

  constructor(
    total: number,
    /** Expected seconds per scenario (warm-up + window), for the remaining-time estimate. */
    private readonly perScenarioS: number,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {
    this.tty = Boolean(out.isTTY) && !process.env.CI;
    this.state = { step: 'starting', done: 0, total };
  }

  /** A permanent line (kept above the live block on a terminal). */
  log(line: string): void {
    this.clear();
    this.out.write(`${this.stamp()} ${line}\n`);
    this.draw();
  }

  update(patch: Partial<ProgressState>): void {
    const stepChanged = patch.step !== undefined && patch.step !== this.state.step;
    this.state = { ...this.state, ...patch };
    this.load = undefined;
    if (this.tty) this.draw();
    else if (stepChanged) this.out.write(`${this.stamp()} ${this.describe()}\n`);
  }

  onLoad = (p: LoadProgress): void => {
    this.load = p;
    if (this.tty) return this.draw();
    if (Date.now() - this.lastPlain >= 5000) {
      this.lastPlain = Date.now();
      this.out.write(`${this.stamp()} ${this.describe()} ${this.loadLine()}\n`);
    }
  };

  finish(): void {
    this.clear();
  }

  private describe(): string {
    const s = this.state;
    const where = [s.mesh && `mesh ${s.mesh}`, s.rps && `${s.rps} req/s`, s.rep && `rep ${s.rep}/${s.reps}`].filter(Boolean).join(', ');
    return `[${s.done}/${s.total}] ${s.step}${where ? ` (${where})` : ''}`;
  }

  private loadLine(): string {
    const p = this.load;
    if (!p) return '';
    return `${p.phase} ${(p.elapsedMs / 1000).toFixed(0)}/${(p.totalMs / 1000).toFixed(0)}s, ${p.sent} sent, ${p.errors} errors`;
  }

  private stamp(): string {
    return `[${fmt((Date.now() - this.started) / 1000)}]`;
  }

  private draw(): void {
    if (!this.tty) return;
    this.clear();
    const remaining = Math.max(0, this.state.total - this.state.done) * this.perScenarioS;
    const lines = [
      `meshbench ${this.describe()}`,
      `  elapsed ${fmt((Date.now() - this.started) / 1000)}  ~remaining ${fmt(remaining)}  ${this.loadLine()}`,
    ];
    this.out.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  private clear(): void {
    if (!this.tty || this.drawn === 0) return;
    this.out.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }
}

function fmt(s: number): string {
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
