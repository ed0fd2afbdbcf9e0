import path from 'node:path';
import type { SummarySettings } from './summary.js';

export interface RenderOptions {
  /** Step id -> status, when the plan belongs to an active migration. */
  stepStatus?: ReadonlyMap<string, string>;
  /** Directory file paths are shown relative to. */
  cwd?: string;
  /** The settings in force, for the summary (defaults.ts values when absent). */
  settings?: SummarySettings;
}

/** The migration file's path as the reader should see it. */
export function relativeFile(file: string, options: RenderOptions): string {
  return options.cwd ? path.relative(options.cwd, file) || file : file;
}
