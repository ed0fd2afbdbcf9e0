import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

const FILE = new URL('../BENCHMARKS.md', import.meta.url);

/**
 * Replaces one benchmark's section of BENCHMARKS.md (between `<!-- bench:<id> -->` markers),
 * leaving the others as they are, so each benchmark can be re-run on its own. `file` names another
 * markdown file with such sections (bench/lint/RESULTS.md).
 */
export function writeSection(id: string, markdown: string, file: URL = FILE): void {
  const start = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  let text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nEvery figure below was produced by the command shown with it, on the machine described. Ratios compare zdm with the alternative measured in the same run, because these machines are shared and noisy.\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, Node ${process.version}`;
}

/** The 1 / 5 / 15 minute load averages and the time (UTC), e.g. `3.1 / 2.4 / 1.9 at 13:50`. */
export function loadAverage(): string {
  const at = new Date().toISOString().slice(11, 16);
  return `${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} at ${at}`;
}

/**
 * What the load average before a run says of the figures: other work on the cores (compare only
 * within the run) or a quiet machine. `before` is the 1-minute load average when the run began.
 */
export function loadRemark(before: number): string {
  return before > cpus().length
    ? 'other work shared the cores, so absolute figures are slow: compare the sides within this run'
    : 'no other work was running on the machine when the run began';
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
