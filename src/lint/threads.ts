/**
 * Many plain `.sql` files are linted on worker threads, the way squawk spreads files over its
 * threads: each thread loads its own parser and lints a contiguous share of the files; the main
 * thread lints the first share meanwhile. Findings come back in input order, so the report is the
 * same as from one thread. Used only without a live catalog (a catalog is a database session, not
 * data a worker can be given) and only from the built package (the worker is compiled JavaScript).
 *
 * `ZDM_LINT_THREADS=N`: up to N threads (at most the available parallelism and 4, one per 100 files);
 * default 1 (no workers).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Finding, LintOptions } from './engine.js';

export const FILES_PER_THREAD = 100;
const MAX_THREADS = 4;
const workerUrl = new URL('./thread-worker.js', import.meta.url);

export interface ThreadJob {
  name: string;
  text: string;
}

/** Options a worker can be given: everything but the catalog. */
export type ThreadOptions = Omit<LintOptions, 'file' | 'catalog'>;

/** How many threads to use for `files` files (1: lint on this thread only). */
export function threadCount(files: number, env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.ZDM_LINT_THREADS);
  // Opt-in: measured idle on 2 cores (2,000 files), 2 threads took 1.06 s wall against 0.95 s for one
  // (each worker loads its own parser and modules); worth it only with more cores or more files.
  const cap = Number.isInteger(asked) && asked >= 1 ? Math.min(asked, availableParallelism(), MAX_THREADS) : 1;
  const wanted = Math.min(cap, Math.floor(files / FILES_PER_THREAD));
  if (wanted < 2 || !existsSync(fileURLToPath(workerUrl))) return 1;
  return wanted;
}

/** Splits jobs into `n` contiguous shares of about the same amount of text. */
export function shares<T extends ThreadJob>(jobs: T[], n: number): T[][] {
  const total = jobs.reduce((s, j) => s + j.text.length, 0);
  const out: T[][] = [[]];
  let size = 0;
  for (const job of jobs) {
    if (size >= (total / n) * out.length && out.length < n) out.push([]);
    out[out.length - 1]!.push(job);
    size += job.text.length;
  }
  return out;
}

/** Lints `jobs` on a worker thread; resolves to one findings list per job. */
export function lintOnWorker(jobs: ThreadJob[], options: ThreadOptions): Promise<Finding[][]> {
  return new Promise((resolve, reject) => {
    // node:worker_threads is loaded only here: a lint on one thread (the default) does not need it (~8 M
    // instructions of a one-file lint's start-up, callgrind).
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    const worker = new Worker(workerUrl, { workerData: { jobs, options } });
    worker.once('message', (m: { findings?: Finding[][]; error?: string }) => {
      if (m.findings) resolve(m.findings);
      else reject(new Error(`lint worker failed: ${m.error ?? 'no result'}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`lint worker exited with code ${code}`));
    });
  });
}
