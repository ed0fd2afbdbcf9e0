import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_COMMENT_LIMIT } from '../../src/plan/markdown.js';
import { planDiagram } from '../../src/plan/mermaid.js';
import { renderPlan } from '../../src/plan/render.js';
import type { Plan } from '../../src/plan/types.js';
import { eventsFixture as events, fakeCatalog, ticketsFixture as tickets } from '../helpers/catalog-literal.js';
import { catalog, col, planOps, table, usersFixture as users } from '../helpers/catalog.js';
import { plan } from '../helpers/plans.js';

/** mermaid's own parser (the one GitHub's renderer runs); it needs a DOM for its sanitizer. */
type Mermaid = { parse: (text: string) => Promise<unknown> };
let mermaid: Mermaid;
beforeAll(async () => {
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  mermaid = (await import('mermaid')).default as unknown as Mermaid;
});

function mermaidBlock(markdown: string): string {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
  expect(m, 'a mermaid block').not.toBeNull();
  return m![1]!;
}

/** A multi-operation migration: a rename, a type change with a referencing table, a new index and a NOT NULL. */
function multiOpPlan(): Plan {
  return planOps(
    [
      // In this order: a later operation cannot change a column an earlier one renames or retypes.
      { op: 'dropNotNull', table: 'users', column: 'user_email' },
      { op: 'createIndex', table: 'tickets', columns: ['event_id'], name: 'tickets_event_id_zdm_test' },
      { op: 'changeColumnType', table: 'events', column: 'id', type: 'bigint' },
      { op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' },
    ],
    catalog([events, tickets, users], 150000),
  );
}

describe('the plan as a picture', () => {
  it('markdown starts with a Mermaid diagram that mermaid parses: phases, steps with table and lock, gates', async () => {
    const p = planOps(
      [
        { op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' },
        { op: 'setNotNull', table: '"Odd ""name"""', column: 'v' },
      ],
      catalog([users, table('Odd "name"', [col('id', 'bigint', { notNull: true }), col('v', 'text')])]),
    );
    const md = renderPlan(p, 'markdown');
    expect(md.indexOf('```mermaid')).toBeLessThan(md.indexOf('| # | operation |'));
    const diagram = mermaidBlock(md);
    await expect(mermaid.parse(diagram)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
    expect(diagram).toContain('subgraph P0["1. expand: old app runs"]');
    expect(diagram).toContain('subgraph P2["3. switch: old and new app side by side"]');
    expect(diagram).toContain('subgraph P3["4. contract: new app only, no rollback"]');
    expect(diagram).toContain('rename_column public.users.user_email #1<br/>public.users: ACCESS EXCLUSIVE (brief)');
    expect(diagram).toContain('P2 --> G3{{"gate: replica lag, operator: old app retired"}} --> P3');
    // Colour by lock strength: the contract step blocks reads and writes, the backfill does not.
    expect(diagram).toMatch(/class [^\n]*\bS\d+[^\n]* all/);
    expect(diagram).toContain('classDef all fill:#ffebe9');
  });

  it('a diagram with odd names, quotes and an empty phase still parses', async () => {
    const p = planOps([{ op: 'dropNotNull', table: 'users', column: 'user_email' }], catalog([users]));
    const diagram = planDiagram(p);
    expect(diagram).toContain('E1["nothing to do"]');
    await expect(mermaid.parse(diagram)).resolves.toBeTruthy();
    const quoted = diagram.replace('nothing to do', 'a "quoted" <b>thing</b>');
    await expect(mermaid.parse(quoted)).rejects.toThrow();
  });

  it('the text plan starts with a per-table summary: strongest lock and for how long, rewrites, backfill', () => {
    const p = plan(
      [{ op: 'changeColumnType', table: 'events', column: 'id', type: 'bigint' }],
      fakeCatalog([events, tickets], 150000),
    );
    const text = renderPlan(p, 'text', {
      settings: { lockTimeoutMs: 3000, lockRetries: 7, workers: 2, batchSize: 1000, targetBatchMs: 100 },
    });
    const summary = text.slice(text.indexOf('Summary:'), text.indexOf('Operations:'));
    expect(text.indexOf('Summary:')).toBeLessThan(text.indexOf('Phase 1/4'));
    expect(summary).toMatch(
      /public\.events: ACCESS EXCLUSIVE, brief, in expand, switch, contract \(blocks reads and writes\); rewrites: no; scans: \d+; backfill ~[\d,]+ rows, ~[\d.hms]+ at 20,000 rows\/s, ~[\d.]+ [kMG]?B WAL/,
    );
    expect(summary).toContain('lock_timeout 3.00s for every locking statement, up to 7 attempts per step with backoff');
    expect(summary).toContain('contract cannot be rolled back');
    expect(summary).toContain('1,000 rows per 100ms per worker');
  });

  it('a multi-operation migration renders under a GitHub comment; a huge one is cut with a note', async () => {
    const md = renderPlan(multiOpPlan(), 'markdown');
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md).not.toContain('Cut to fit');
    await expect(mermaid.parse(mermaidBlock(md))).resolves.toBeTruthy();

    const wide = table('wide', [col('id', 'bigint', { notNull: true }), ...range(60).map((i) => col(`c${i}`, 'text'))]);
    const many = planOps(
      range(60).map((i) => ({ op: 'renameColumn', table: 'wide', from: `c${i}`, to: `column_number_${i}` })),
      catalog([{ ...wide, primaryKey: { name: 'wide_pkey', columns: ['id'] } }]),
    );
    const big = renderPlan(many, 'markdown');
    expect(renderPlan(many, 'text').length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    expect(big.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(big).toMatch(/Cut to fit a GitHub comment \(65,536 characters\):\*\* the SQL of \d+ steps/);
    expect(big.match(/<details>/g)!.length).toBeGreaterThan(10);
    await expect(mermaid.parse(mermaidBlock(big))).resolves.toBeTruthy();
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
