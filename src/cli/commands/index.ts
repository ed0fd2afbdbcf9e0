import type { Command } from 'commander';
import type { CliIO } from '../context.js';
import { registerAdvance } from './advance.js';
import { registerControl } from './control.js';
import { registerLint } from './lint.js';
import { registerPlan } from './plan.js';
import { registerRollback } from './rollback.js';
import { registerStatus } from './status.js';

/** Runs a command action and records its exit code; errors are reported and mapped by main.ts. */
export type RunAction = (action: () => Promise<number>) => Promise<void>;
export type RegisterCommand = (program: Command, io: CliIO, run: RunAction) => void;

/** Every CLI command, one file each. */
export const COMMANDS: RegisterCommand[] = [
  registerPlan,
  registerAdvance,
  registerStatus,
  registerRollback,
  registerControl,
  registerLint,
];
