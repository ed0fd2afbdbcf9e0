import { z } from 'zod';
import { lookupNamed } from '../db/catalog.js';
import {
  displayName,
  identifierBytes,
  MAX_IDENTIFIER_BYTES,
  quoteLiteral,
  quoteQualified,
  type QualifiedName,
} from '../db/quote.js';
import { objectName } from '../migration/names.js';
import type { OperationDefinition } from './types.js';

export const addEnumValueSchema = z
  .object({
    op: z.literal('addEnumValue'),
    type: objectName,
    value: z.string().min(1, 'an enum value cannot be empty'),
    before: z.string().optional(),
    after: z.string().optional(),
  })
  .strict();

export type AddEnumValue = z.infer<typeof addEnumValueSchema>;

/**
 * addEnumValue: `ALTER TYPE ... ADD VALUE IF NOT EXISTS`, in expand, as a non-transactional step:
 * it commits on its own before any later step runs, so no transaction ever uses the value in the
 * transaction that added it (Postgres 12+: "unsafe use of new value", 55P04; before 12 ADD VALUE
 * cannot run in a transaction block at all). It takes no lock on any table.
 *
 * Rollback: Postgres cannot drop an enum value (there is no ALTER TYPE ... DROP VALUE; recreating
 * the type would rewrite every table using it). zdm's rollback therefore leaves the value in place
 * and says so in the plan, instead of pretending to undo it; expanding again is a no-op thanks to
 * IF NOT EXISTS. Old application versions never write the new value, so they are unaffected.
 */
export const addEnumValue: OperationDefinition<AddEnumValue> = {
  schema: addEnumValueSchema,
  refs: (spec) => ({ enums: [spec.type] }),
  summary: (spec) =>
    `add value '${spec.value}' to ` +
    `enum ${spec.type}${spec.before !== undefined ? ` before '${spec.before}'` : spec.after !== undefined ? ` after '${spec.after}'` : ''}`,
  apply(spec, change) {
    const type = lookupNamed(change.catalog, 'type', spec.type, change.catalog.enums).value;
    if (type) change.addEnumLabel({ schema: type.schema, name: type.name }, spec.value);
  },
  plan(spec, ctx) {
    const { ref, value: info } = lookupNamed(ctx.catalog, 'type', spec.type, ctx.catalog.enums);
    if (!info)
      return ctx.fail(
        'type',
        `enum type ${displayName({ schema: ref.schema ?? ctx.catalog.defaultSchema, name: ref.name })} ` +
          `does not exist (or is not an enum)`,
      );
    const type: QualifiedName = { schema: info.schema, name: info.name };
    ctx.notedFolding('type', spec.type, type.name, displayName(type), 'type');
    if (identifierBytes(spec.value) > MAX_IDENTIFIER_BYTES)
      ctx.fail(
        'value',
        `enum values are at most ${MAX_IDENTIFIER_BYTES} bytes; '${spec.value}' is ${identifierBytes(spec.value)}`,
      );
    // Present already: left by a rollback of this migration (values cannot be dropped), or added by
    // hand. The step stays (IF NOT EXISTS makes it a no-op) so the plan reads the same.
    if (info.labels.includes(spec.value))
      ctx.note({
        phase: 'expand',
        text:
          `enum ${displayName(type)} already has the value ${quoteLiteral(spec.value)} (an ` +
          `earlier rollback leaves it): adding it is a no-op`,
      });
    if (spec.before !== undefined && spec.after !== undefined)
      ctx.fail('after', 'give either "before" or "after", not both');
    const anchor = spec.before ?? spec.after;
    const field = spec.before !== undefined ? 'before' : 'after';
    if (anchor !== undefined && !info.labels.includes(anchor)) {
      ctx.fail(
        field,
        `enum ${displayName(type)} has no value '${anchor}' (it has ${info.labels.map((l) => `'${l}'`).join(', ')})`,
      );
    }
    const position = anchor === undefined ? '' : ` ${field.toUpperCase()} ${quoteLiteral(anchor)}`;
    ctx.steps('add_enum_value', `${displayName(type)}.${spec.value}`).sql('expand', {
      description:
        `add value ${quoteLiteral(spec.value)} to ` +
        `enum ${displayName(type)}${position.toLowerCase()}, ` +
        `committed on its own (not undone by rollback: Postgres cannot drop an enum value)`,
      statements: [`ALTER TYPE ${quoteQualified(type)} ADD VALUE IF NOT EXISTS ${quoteLiteral(spec.value)}${position}`],
      transactional: false,
      impact: { locks: [], lockDuration: 'brief', rewritesTable: false, scansTable: false },
    });
    ctx.note({
      phase: 'expand',
      text:
        `zdm rollback leaves the value ${quoteLiteral(spec.value)} in ` +
        `enum ${displayName(type)}: Postgres cannot remove an enum value; ` +
        `nothing uses it until a new application version writes it`,
    });
  },
};
