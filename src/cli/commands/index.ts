import { registerAdvance } from './advance.js';
import { registerControl } from './control.js';
import { registerFleet } from './fleet.js';
import { registerInit } from './init.js';
import { registerLint } from './lint.js';
import { registerPlan } from './plan.js';
import { registerRollback } from './rollback.js';
import { registerStatus } from './status.js';
import type { RegisterCommand } from './types.js';

/** Every CLI command, one file each. */
export const COMMANDS: RegisterCommand[] = [
  registerPlan,
  registerAdvance,
  registerStatus,
  registerRollback,
  registerControl,
  registerLint,
  registerFleet,
  registerInit,
];
