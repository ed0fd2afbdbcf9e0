import type pg from 'pg';
import { displayName, quoteQualified } from '../db/quote.js';
import { SafetyError } from '../errors.js';
import type { BackfillStep } from '../plan/types.js';
import type { TableStats } from '../plan/wal-per-row.js';
import type { RunnerContext } from '../exec/context.js';
import {
  estimateWal,
  judgeWalRisk,
  settingBytes,
  type Standby,
  type WalEstimate,
  type WalRetention,
} from './wal-estimate.js';

/**
 * Before a backfill starts: estimates its WAL (wal-estimate.ts) and refuses (SafetyError, exit 3)
 * when a streaming replica's guaranteed WAL retention cannot hold the backlog the throttle allows;
 * with allowWalRisk it logs the same text as a warning and goes on. `estimatedRows`: rows still
 * to cover (null when unknown).
 */
export async function assertWalSafety(
  ctx: RunnerContext,
  step: BackfillStep,
  estimatedRows: number | null,
): Promise<WalEstimate> {
  const pool = ctx.conn.pool;
  const [stats, standbys, retention] = await Promise.all([
    tableStats(pool, quoteQualified(step.table)),
    streamingStandbys(pool),
    walRetention(pool),
  ]);
  const estimate = estimateWal(stats, estimatedRows, ctx.settings);
  const problems = judgeWalRisk(standbys, retention, estimate, ctx.settings.maxLagBytes);
  ctx.log.debug(
    {
      step: step.id,
      rows: estimate.rows,
      bytesPerRow: estimate.bytesPerRow,
      walBytes: estimate.totalBytes,
      backlogBytes: estimate.backlogBytes,
      standbys,
    },
    'backfill WAL estimate',
  );
  if (problems.length === 0) return estimate;
  const message = `backfill of ${displayName(step.table)}: ${problems.join('; ')}`;
  if (!ctx.settings.allowWalRisk) throw new SafetyError(`refusing to start the ${message}`);
  ctx.log.warn({ step: step.id }, `${message} (going on: --allow-wal-risk)`);
  return estimate;
}

async function tableStats(pool: pg.Pool, table: string): Promise<TableStats> {
  const { rows } = await pool.query<TableStats>(
    `SELECT c.reltuples::float8 AS tuples, c.relpages::float8 AS relpages,
            (SELECT count(*)::int FROM pg_index i WHERE i.indrelid = c.oid) AS indexes,
            (SELECT sum(s.avg_width)::float8 FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname) AS "statWidth"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1)`,
    [table],
  );
  return rows[0] ?? { tuples: -1, relpages: 0, statWidth: null, indexes: 0 };
}

/**
 * Physical standbys connected to the primary and the slot each streams through (logical walsenders
 * always have one and are left out).
 */
async function streamingStandbys(pool: pg.Pool): Promise<Standby[]> {
  const { rows } = await pool.query<Standby>(
    `SELECT coalesce(nullif(r.application_name, ''), host(r.client_addr), r.pid::text) AS name, s.slot_name AS slot
       FROM pg_stat_replication r LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid
      WHERE s.slot_type IS DISTINCT FROM 'logical'
      ORDER BY 1`,
  );
  return rows;
}

async function walRetention(pool: pg.Pool): Promise<WalRetention> {
  const { rows } = await pool.query<{ name: string; setting: string; unit: string | null }>(
    `SELECT name, setting, unit FROM pg_settings WHERE name IN ('wal_keep_size', ` +
      `'wal_keep_segments', 'wal_segment_size', 'max_slot_wal_keep_size')`,
  );
  const get = (name: string) => rows.find((r) => r.name === name);
  const keepSize = get('wal_keep_size');
  const keepSegments = get('wal_keep_segments');
  const segment = get('wal_segment_size');
  const walKeepBytes = keepSize
    ? settingBytes(keepSize.setting, keepSize.unit)
    : keepSegments && segment
      ? Number(keepSegments.setting) * settingBytes(segment.setting, segment.unit)
      : 0;
  const slotCap = get('max_slot_wal_keep_size');
  const maxSlotKeepBytes = !slotCap || Number(slotCap.setting) < 0 ? null : settingBytes(slotCap.setting, slotCap.unit);
  return { walKeepBytes, maxSlotKeepBytes };
}
