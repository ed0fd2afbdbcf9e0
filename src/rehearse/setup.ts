import type pg from 'pg';
import { DatabaseError, errorMessage } from '../errors.js';
import { loadSample, type SampleResult } from './sample.js';
import type { SchemaScript } from './schema.js';

/**
 * Runs the schema script and loads the sample on the throwaway database. Extensions, types,
 * functions and sequences that fail are retried once the tables exist; a table, constraint or
 * index that cannot be recreated stops the rehearsal (DatabaseError naming it); late objects
 * (triggers, views, policies, publications, comments) that fail become notes.
 */
export async function buildRehearsalDatabase(
  target: pg.ClientBase,
  rehearsal: pg.ClientBase,
  script: SchemaScript,
  rows: number,
): Promise<{ sample: SampleResult; notes: string[] }> {
  const notes = [...script.notes];
  await rehearsal.query('SET check_function_bodies = off');
  const retry: string[] = [];
  for (const sql of script.before) if (!(await tryRun(rehearsal, sql))) retry.push(sql);
  for (const sql of script.tables) await mustRun(rehearsal, sql);
  for (const sql of retry) {
    const err = await tryRun(rehearsal, sql, true);
    if (err !== true) notes.push(`not recreated: ${firstLine(sql)}: ${err}`);
  }
  const sample = await loadSample(target, rehearsal, script, rows);
  for (const sql of [...script.afterLoad, ...script.foreignKeys]) await mustRun(rehearsal, sql);
  for (const item of script.late) {
    const err = await tryRun(rehearsal, item.sql, true);
    if (err !== true) notes.push(`not recreated: ${item.name}: ${err}`);
  }
  await rehearsal.query('ANALYZE');
  return { sample, notes };
}

async function tryRun(client: pg.ClientBase, sql: string, why = false): Promise<true | string | false> {
  try {
    await client.query(sql);
    return true;
  } catch (err) {
    return why ? errorMessage(err) : false;
  }
}

async function mustRun(client: pg.ClientBase, sql: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (err) {
    throw new DatabaseError(`the rehearsal could not recreate ${firstLine(sql)}: ${errorMessage(err)}`, { cause: err });
  }
}

function firstLine(sql: string): string {
  const line = sql.split('\n')[0]!;
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
