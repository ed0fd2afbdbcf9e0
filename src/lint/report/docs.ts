/**
 * Rule documentation as a URL every output format can link to: the rules README that ships in the
 * package (`src/lint/rules/README.md`, a `file:` URL next to the installed zdm), or, when
 * ZDM_LINT_DOCS_URL is set, that address (e.g. the README's page in your repository or a mirror, so
 * that links in GitHub code scanning open in the browser). One heading per rule id.
 */
import { DOCS_PATH } from '../rule.js';

/** The README's URL, without an anchor. */
export function docsBase(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.ZDM_LINT_DOCS_URL?.trim();
  if (override) return override.replace(/#.*$/, '');
  return new URL(`../../../${DOCS_PATH}`, import.meta.url).href;
}

export function docsUrl(id: string, base: string = docsBase()): string {
  return `${base}#${id}`;
}
