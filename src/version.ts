import { readFileSync } from 'node:fs';

/** zdm's version, read from package.json (recorded in the audit log and application_name). */
export const version: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
