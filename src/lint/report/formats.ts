/** Output formats of `zdm lint` (a module of its own so the CLI can list them without loading the reporters). */
export const FORMATS = ['text', 'json', 'github', 'sarif', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];
