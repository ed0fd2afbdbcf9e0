import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { META_RULES, RULES } from '../../src/lint/index.js';

const rulesDir = new URL('../../src/lint/rules/', import.meta.url);

describe('rule registry', () => {
  it('lists every rule file, each under its own id, in kebab-case', () => {
    const files = readdirSync(rulesDir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''));
    expect(RULES.map((r) => r.id).sort()).toEqual(files.sort());
    for (const r of RULES) expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('documents every rule and meta finding under its own heading', () => {
    const readme = readFileSync(new URL('README.md', rulesDir), 'utf8');
    const headings = new Set([...readme.matchAll(/^## (\S+)\s*$/gm)].map((m) => m[1]));
    for (const id of [...RULES.map((r) => r.id), ...Object.keys(META_RULES)]) expect(headings.has(id), id).toBe(true);
  });

  it('every rule has a summary and a safe alternative', () => {
    for (const r of RULES) {
      expect(r.summary.length, r.id).toBeGreaterThan(10);
      expect(r.help.length, r.id).toBeGreaterThan(10);
      expect(r.check ?? r.finish, r.id).toBeDefined();
    }
  });
});
