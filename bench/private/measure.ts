/**
 * Runs one command as a whole process tree and measures its wall time and peak memory.
 *
 * - wall time: from spawn to exit, measured by the runner (performance.now()).
 * - peak RSS: GNU time's `%M` (the largest resident set of any single process of the tree, from the
 *   kernel's rusage; exact) when /usr/bin/time exists, otherwise the largest VmHWM sampled from /proc.
 * - tree peak: the largest sum of VmRSS over all processes of the tree, sampled from /proc every
 *   SAMPLE_MS (what a CI runner must hold at once when a CLI runs an app as a child process).
 * - CPU time: GNU time's user + system seconds of the whole tree (`%U` + `%S`): unlike wall time, it hardly
 *   grows when other work shares the machine.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

/** Where GNU time is expected (Debian package `time`). */
export const GNU_TIME = '/usr/bin/time';
const SAMPLE_MS = 100;
const TAIL_BYTES = 4000;

/** One measured run. */
export interface RunSample {
  readonly wallSeconds: number;
  /**
   * User + system CPU seconds of the process tree (GNU time `%U` + `%S`).
   * @default - not measured (no GNU time, or a run recorded before CPU time was measured)
   */
  readonly cpuSeconds?: number;
  /** Largest RSS of one process of the tree, KiB. */
  readonly peakRssKiB: number;
  /** Largest sampled sum of RSS over the tree, KiB (0 when /proc is not readable). */
  readonly treePeakKiB: number;
  /** How the peak RSS was obtained. */
  readonly peakSource: 'gnu-time' | 'proc-sampled';
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The last few KB of stderr and stdout, for error messages. */
  readonly outputTail: string;
}

/** What to run. */
export interface Command {
  readonly cmd: string;
  readonly args: string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Kill the tree after this many seconds. */
  readonly timeoutSeconds: number;
}

/** True when GNU time is installed. */
export function hasGnuTime(): boolean {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs `command` to completion and measures it. Never throws for a failing command (see exitCode). */
export async function measure(command: Command, useGnuTime = hasGnuTime()): Promise<RunSample> {
  // next to the run's own temporary files when it has a TMPDIR of its own (the runner's scratch directory)
  const timeFile = path.join(command.env.TMPDIR ?? os.tmpdir(), `bench-time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const [file, args] = useGnuTime
    ? [GNU_TIME, ['-f', '%e %M %U %S', '-o', timeFile, command.cmd, ...command.args]]
    : [command.cmd, command.args];

  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf-8')).slice(-TAIL_BYTES);
  };

  const start = performance.now();
  const child = spawn(file, args, { cwd: command.cwd, env: command.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let treePeak = 0;
  const hwm = new Map<number, number>();
  const sample = () => {
    if (child.pid === undefined) return;
    const pids = processTree(child.pid);
    let sum = 0;
    for (const pid of pids) {
      const status = readStatus(pid);
      if (!status) continue;
      // GNU time itself (a few hundred KiB) is not part of the measured program.
      if (useGnuTime && pid === child.pid) continue;
      sum += status.rss;
      hwm.set(pid, Math.max(hwm.get(pid) ?? 0, status.hwm));
    }
    treePeak = Math.max(treePeak, sum);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  const killer = setTimeout(() => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, command.timeoutSeconds * 1000);

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolve([code, sig]));
  });
  const wallSeconds = (performance.now() - start) / 1000;
  clearInterval(timer);
  clearTimeout(killer);

  let peakRssKiB = Math.max(0, ...hwm.values());
  let peakSource: RunSample['peakSource'] = 'proc-sampled';
  let cpuSeconds: number | undefined;
  if (useGnuTime) {
    const lines = readOr(timeFile, '').trim().split('\n');
    fs.rmSync(timeFile, { force: true });
    const m = /^([\d.]+) (\d+) ([\d.]+) ([\d.]+)$/.exec(lines[lines.length - 1] ?? '');
    if (m) {
      peakRssKiB = Number(m[2]);
      peakSource = 'gnu-time';
      cpuSeconds = Number(m[3]) + Number(m[4]);
    }
    // GNU time reports a failing command's status on its first line; the exit code is passed through.
  }
  return { wallSeconds, cpuSeconds, peakRssKiB, treePeakKiB: treePeak, peakSource, exitCode, signal, outputTail: tail };
}

/** `pid` and all its descendants (from /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.push(p);
    let tasks: string[];
    try {
      tasks = fs.readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      const children = readOr(`/proc/${p}/task/${t}/children`, '').trim();
      if (children) stack.push(...children.split(/\s+/).map(Number));
    }
  }
  return out;
}

function readStatus(pid: number): { rss: number; hwm: number } | undefined {
  const text = readOr(`/proc/${pid}/status`, '');
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(text);
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(text);
  return rss && hwm ? { rss: Number(rss[1]), hwm: Number(hwm[1]) } : undefined;
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf-8');
  } catch {
    return fallback;
  }
}

/** The median of `values` (mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
