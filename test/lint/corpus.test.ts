import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintSql } from '../../src/lint/index.js';

/**
 * The agreement corpus (bench/lint/agreement.ts runs it through squawk too). Each file starts with
 * `-- expect: rule-a, rule-b` (or `none`): the rules zdm's default profile must report, PG 15.
 */
const dir = new URL('./corpus/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.sql'))
  .sort();

export function expected(text: string): string[] {
  const first = text.split('\n', 1)[0] ?? '';
  const list = first.replace(/^-- expect:\s*/, '').trim();
  return list === 'none'
    ? []
    : list
        .split(',')
        .map((s) => s.trim())
        .sort();
}

describe('agreement corpus', () => {
  it('has at least 150 cases, dangerous and safe', () => {
    expect(files.length).toBeGreaterThanOrEqual(150);
    const texts = files.map((f) => readFileSync(new URL(f, dir), 'utf8'));
    expect(texts.filter((t) => expected(t).length > 0).length).toBeGreaterThan(50);
    expect(texts.filter((t) => expected(t).length === 0).length).toBeGreaterThan(50);
  });

  it.each(files)('%s', async (file) => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    const found = [...new Set((await lintSql(text, { file })).map((f) => f.rule))].sort();
    expect(found).toEqual(expected(text));
  });
});
