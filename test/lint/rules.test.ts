import { describe, expect, it } from 'vitest';
import { lintSql, RULES, type Finding } from '../../src/lint/index.js';
import { CASES, type Case } from './cases.js';

const norm = (c: Case) => (typeof c === 'string' ? { sql: c } : c);

async function run(id: string, c: Case): Promise<Finding[]> {
  const { sql, ...options } = norm(c);
  return (await lintSql(sql, { ...options, include: [id] })).filter((f) => f.rule === id);
}

/** Quote SQL into a comment and a string literal: it must not trigger anything. */
function mentions(sql: string): string {
  const asComment = sql
    .split('\n')
    .map((l) => `-- ${l}`)
    .join('\n');
  return `${asComment}\n/* ${sql.replaceAll('*/', '* /')} */\nSELECT '${sql.replaceAll("'", "''")}' AS text;\nCOMMENT ON TABLE users IS $q$${sql}$q$;`;
}

describe.each(RULES.map((r) => [r.id]))('%s', (id) => {
  const cases = CASES[id as keyof typeof CASES];

  it.each(cases.bad.map((c) => [norm(c).sql, c]))('reports %s', async (_sql, c) => {
    const found = await run(id, c);
    expect(found.length, JSON.stringify(found)).toBeGreaterThan(0);
    for (const f of found) {
      expect(f.docs).toBe(`src/lint/rules/README.md#${id}`);
      expect(f.message.length).toBeGreaterThan(20);
      expect(f.line).toBeGreaterThanOrEqual(1);
    }
  });

  it.each(cases.good.map((c) => [norm(c).sql, c]))('accepts %s', async (_sql, c) => {
    expect(await run(id, c)).toEqual([]);
  });

  it('reports at the right line after other statements', async () => {
    const c = norm(cases.bad[0]!);
    const plain = await run(id, c);
    const shifted = await run(id, { ...c, sql: `SELECT 1;\n\nSELECT 'é';\n${c.sql}` });
    expect(shifted.map((f) => f.line)).toEqual(plain.map((f) => f.line + 3));
  });

  it('ignores comments and string literals that mention a dangerous statement', async () => {
    for (const c of cases.bad) {
      const { sql, ...options } = norm(c);
      if (id === 'identifier-too-long' || id === 'opaque-dynamic-sql') continue; // COMMENT ON holds a 100-byte literal, not a name
      expect(await run(id, { ...options, sql: mentions(sql) })).toEqual([]);
    }
  });

  it('is off when excluded', async () => {
    const { sql, ...options } = norm(cases.bad[0]!);
    const found = await lintSql(sql, { ...options, include: [id], exclude: [id] });
    expect(found.filter((f) => f.rule === id)).toEqual([]);
  });
});
