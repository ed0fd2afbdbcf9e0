import type { Command } from 'commander';
import type { CliIO } from '../context.js';

/** Runs a command action and records its exit code; errors are reported and mapped by main.ts. */
export type RunAction = (action: () => Promise<number>) => Promise<void>;
export type RegisterCommand = (program: Command, io: CliIO, run: RunAction) => void;
