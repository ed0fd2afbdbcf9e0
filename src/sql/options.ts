/**
 * Boolean statement options (`VACUUM (FULL false)`, `REINDEX (CONCURRENTLY off)`): what an option's
 * value says, not whether it is written. Postgres's defGetBoolean: no value, `true`/`on`/`1` are on;
 * `false`/`off`/`0` are off.
 */
import type { Node } from 'libpg-query';

interface DefElemBody {
  defname?: string;
  arg?: Node;
}

/** The value of a boolean option in a DefElem list (the last one written wins); false when absent. */
export function optionOn(list: readonly unknown[] | undefined, name: string): boolean {
  let on = false;
  for (const n of list ?? []) {
    const d = (n as { DefElem?: DefElemBody } | null)?.DefElem;
    if (d?.defname === name) on = booleanValue(d.arg);
  }
  return on;
}

function booleanValue(arg: Node | undefined): boolean {
  if (!arg) return true;
  const a = arg as { String?: { sval?: string }; Integer?: { ival?: number }; Boolean?: { boolval?: boolean } };
  if (a.Integer) return (a.Integer.ival ?? 0) !== 0;
  if (a.Boolean) return a.Boolean.boolval === true;
  const s = (a.String?.sval ?? '').toLowerCase();
  return !(s === 'false' || s === 'off' || s === '0' || s === 'no');
}
