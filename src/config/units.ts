/**
 * Durations and sizes as users write them in flags, env and config: `500ms`, `2s`, `1.5m`, `1h`;
 * `64MB`, `16MiB`, `1GB` (1024-based, as Postgres reads memory settings). A bare number is seconds
 * for durations and bytes for sizes.
 */
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, sec: 1_000, m: 60_000, min: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  k: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  g: 1024 ** 3,
};

/** Milliseconds, or an Error message naming the bad value. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') return checkNonNegative(input * 1000, input);
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  if (!match) throw new Error(`"${input}" is not a duration (examples: 500ms, 2s, 1m)`);
  const unit = (match[2] ?? '').toLowerCase() || 's';
  const factor = DURATION_UNITS[unit];
  if (factor === undefined) throw new Error(`"${input}": unknown duration unit "${match[2]}" (use ms, s, m or h)`);
  return checkNonNegative(Number(match[1]) * factor, input);
}

export function parseBytes(input: string | number): number {
  if (typeof input === 'number') return checkNonNegative(input, input);
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  if (!match) throw new Error(`"${input}" is not a size (examples: 16MB, 512kB, 1GB)`);
  const unit = (match[2] ?? '').toLowerCase() || 'b';
  const factor = SIZE_UNITS[unit];
  if (factor === undefined) throw new Error(`"${input}": unknown size unit "${match[2]}" (use B, kB, MB or GB)`);
  return checkNonNegative(Math.round(Number(match[1]) * factor), input);
}

function checkNonNegative(value: number, input: string | number): number {
  if (!Number.isFinite(value) || value < 0) throw new Error(`"${input}" must be a non-negative value`);
  return Math.round(value);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return `${minutes}m${String(seconds).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[i]}`;
}
