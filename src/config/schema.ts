import { z } from 'zod';
import { LintConfigSchema } from '../lint/config.js';

const duration = z.union([z.string(), z.number()]);
const size = z.union([z.string(), z.number()]);

/**
 * zdm.config.json. Every key is optional; flags override env, env overrides this file, and this file
 * overrides the defaults in src/defaults.ts. Durations are "500ms"/"2s"/"1m" (a bare number is
 * seconds); sizes are "64MB" (1024-based).
 */
export const ConfigFileSchema = z
  .object({
    $schema: z.string().optional(),
    databaseUrl: z.string().optional(),
    migrationsDir: z.string().optional(),
    stateSchema: z.string().optional(),
    lockTimeout: duration.optional(),
    lockRetries: z.number().int().min(0).optional(),
    gateTimeout: duration.optional(),
    maxLag: duration.optional(),
    maxLagBytes: size.optional(),
    replicas: z.array(z.string()).optional(),
    batchSize: z.number().int().positive().optional(),
    targetBatchMs: z.number().int().positive().optional(),
    maxRowsPerSecond: z.number().positive().optional(),
    workers: z.number().int().positive().optional(),
    throttleQuery: z.string().optional(),
    maxXactAge: duration.optional(),
    allowMissingReplica: z.boolean().optional(),
    allowWalRisk: z.boolean().optional(),
    lint: LintConfigSchema.optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof ConfigFileSchema>;
