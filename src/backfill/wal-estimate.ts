import { formatBytes } from '../config/units.js';
import { MAX_BATCH_SIZE } from '../defaults.js';
import { rowWidth, walBytesPerRow, type TableStats } from '../plan/wal-per-row.js';

/*
 * PURE: how much WAL a backfill writes (the per-row rule is plan/wal-per-row.ts, shared with
 * `zdm plan`'s summary), how much of it the throttle lets pile up between the primary and a
 * replica, and whether the replica's WAL retention covers that.
 */
export interface WalEstimate {
  rows: number | null;
  bytesPerRow: number;
  /** Whole backfill; Infinity when the row count is unknown. */
  totalBytes: number;
  /** What the throttle lets pile up unreplayed: see walBacklogBound. */
  backlogBytes: number;
  /** The burst part of backlogBytes. */
  burstBytes: number;
}

/**
 * The most WAL the backfill can put between the primary and a replica before the throttle stops
 * it: the byte-lag limit (the throttle pauses above it) plus one burst that lands before the next
 * reading shows it: per worker, the batch in flight and one more started on a cached "open"
 * verdict, at the largest batch the sizer may grow to. Never more than the whole backfill.
 */
export function estimateWal(
  stats: TableStats,
  rows: number | null,
  limits: { maxLagBytes: number; workers: number },
): WalEstimate {
  const bytesPerRow = walBytesPerRow(rowWidth(stats), stats.indexes);
  const totalBytes = rows === null ? Infinity : rows * bytesPerRow;
  const burstBytes = Math.max(1, limits.workers) * 2 * MAX_BATCH_SIZE * bytesPerRow;
  return {
    rows,
    bytesPerRow,
    totalBytes,
    burstBytes,
    backlogBytes: Math.min(totalBytes, limits.maxLagBytes + burstBytes),
  };
}

/** A streaming physical standby as the primary sees it. */
export interface Standby {
  name: string;
  slot: string | null;
}

export interface WalRetention {
  /** wal_keep_size (or wal_keep_segments x segment size before PG 13), bytes. */
  walKeepBytes: number;
  /** max_slot_wal_keep_size in bytes; null when unlimited (-1, the default, or before PG 13). */
  maxSlotKeepBytes: number | null;
}

/** WAL the primary keeps for this standby whatever happens: Infinity behind an unlimited slot. */
function retainedFor(standby: Standby, r: WalRetention): number {
  if (standby.slot === null) return r.walKeepBytes;
  return r.maxSlotKeepBytes === null ? Infinity : Math.max(r.maxSlotKeepBytes, r.walKeepBytes);
}

/**
 * The rule: refuse when a standby's guaranteed retention is below the backlog the throttle
 * allows. Past it, a checkpoint may recycle WAL the standby has not received: a slot-less replica
 * then needs re-cloning (seen: after one 1.6 GB burst and a checkpoint, a replica without a slot or
 * wal_keep_size looped on "requested WAL segment ... has already been removed"), a capped slot is
 * invalidated. Returns the problems.
 */
export function judgeWalRisk(
  standbys: Standby[],
  retention: WalRetention,
  estimate: WalEstimate,
  maxLagBytes: number,
): string[] {
  const problems: string[] = [];
  for (const s of standbys) {
    const kept = retainedFor(s, retention);
    if (kept >= estimate.backlogBytes) continue;
    const why =
      s.slot === null
        ? `streams without a replication slot and wal_keep_size (${formatBytes(kept)})`
        : `streams through slot ${s.slot}, capped by max_slot_wal_keep_size (${formatBytes(kept)}),`;
    const total =
      estimate.rows === null
        ? 'an unknown number of rows'
        : `${estimate.rows} rows x ~${estimate.bytesPerRow} B = ${formatBytes(estimate.totalBytes)}`;
    const backlog =
      estimate.backlogBytes < estimate.totalBytes
        ? `${formatBytes(estimate.backlogBytes)}: --max-lag-bytes ${formatBytes(maxLagBytes)} plus ` +
          `a burst of batches of ${formatBytes(estimate.burstBytes)}`
        : `${formatBytes(estimate.backlogBytes)}, the whole backfill`;
    problems.push(
      `replica ${s.name} ${why} cannot hold the WAL the backfill may put between the primary and it ` +
        `(up to ${backlog}; the backfill writes about ${total}). ` +
        `A checkpoint could recycle WAL it has not received and it would have to be re-cloned. ` +
        `${s.slot === null ? 'Give it a physical slot (primary_slot_name), raise wal_keep_size' : 'Raise max_slot_wal_keep_size'} ` +
        `to at least ${formatBytes(estimate.backlogBytes)}, lower --max-lag-bytes, ` +
        `or pass --allow-wal-risk`,
    );
  }
  return problems;
}

/** A pg_settings value in bytes (`unit` as pg_settings gives it: B, kB, 8kB, MB, 16MB...). */
export function settingBytes(setting: string, unit: string | null): number {
  const value = Number(setting);
  const m = /^(\d*)\s*(B|kB|MB|GB|TB)$/.exec(unit ?? 'B');
  if (!m) return value;
  const scale = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[m[2] as 'B'];
  return value * (m[1] ? Number(m[1]) : 1) * scale;
}
