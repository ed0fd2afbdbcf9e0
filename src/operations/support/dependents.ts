import type { ColumnDependent } from '../../db/catalog.js';

/** Why each kind of dependent blocks a change of the column, for refusals that name it. */
const WHY: Partial<Record<ColumnDependent['kind'], string>> = {
  publication: ' (its column list or row filter names the column)',
  function: ' (a SQL-standard BEGIN ATOMIC body)',
};

/** `view public.v, publication p (its column list ...)`: every dependent named, with its kind. */
export function describeDependents(dependents: readonly ColumnDependent[]): string {
  return dependents.map((d) => `${d.kind} ${d.name}${WHY[d.kind] ?? ''}`).join(', ');
}
