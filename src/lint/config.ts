import { z } from 'zod';

/** The `lint` section of zdm.config.json (flags override it). */
export const LintConfigSchema = z
  .object({
    /** Rule ids to turn off. */
    exclude: z.array(z.string()).optional(),
    /** Opt-in rule ids to turn on. */
    include: z.array(z.string()).optional(),
    /** Target server version, major or major.minor ("15", "14.2"). */
    pgVersion: z.union([z.string(), z.number()]).optional(),
    /** The tool that runs these files wraps each in a transaction. */
    assumeInTransaction: z.boolean().optional(),
    /** Per-rule severity override. */
    rules: z.record(z.string(), z.enum(['error', 'warning', 'off'])).optional(),
    /** Globs of files not to lint. */
    excludePaths: z.array(z.string()).optional(),
  })
  .strict();

export type LintConfig = z.infer<typeof LintConfigSchema>;
