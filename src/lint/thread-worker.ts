/** A lint worker thread (see threads.ts): lints its share of the files and posts the findings back. */
import { parentPort, workerData } from 'node:worker_threads';
import { lintSqlSync, resolveRules, type Finding } from './engine.js';
import { loadParser } from './parser.js';
import type { ThreadJob, ThreadOptions } from './threads.js';

const { jobs, options } = workerData as { jobs: ThreadJob[]; options: ThreadOptions };
try {
  await loadParser();
  const rules = resolveRules(options);
  const findings: Finding[][] = jobs.map((job) => lintSqlSync(job.text, { ...options, file: job.name }, rules));
  parentPort!.postMessage({ findings });
} catch (err) {
  parentPort!.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
