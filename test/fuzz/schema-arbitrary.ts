/**
 * Values that fit a JSON Schema, for the subset `openapi/openapi.yaml` uses: type (one or several), const,
 * enum, object properties/required/additionalProperties/minProperties/dependentRequired, if/then on a
 * property's const, anyOf of `required` lists, array items/minItems/maxItems, string
 * minLength/maxLength/pattern/format (email, date-time), integer and number minimum/maximum, boolean, null,
 * and allOf (merged). A hint may offer values of its own for a property (real ids, real passwords), so that
 * generated requests reach the rules instead of all dying at 401 or 404.
 */
import fc from 'fast-check';
import type { Schema } from '../../src/contract/document.js';

/** Values worth trying for a property of this name, beside what its schema allows; undefined for none. */
export type Hint = (property: string, schema: Schema) => fc.Arbitrary<unknown> | undefined;

interface Conditional {
  if: Schema;
  then: Schema;
}

/** allOf merged into one schema; `if`/`then` pairs, wherever they were, collected in `x-conditionals`. */
export function flatten(schema: Schema): Schema {
  let merged: Schema = { ...schema };
  const conditionals: Conditional[] = [];
  const parts = (schema.allOf as Schema[] | undefined) ?? [];
  delete merged.allOf;
  if (merged.if && merged.then) {
    conditionals.push({ if: merged.if as Schema, then: merged.then as Schema });
    delete merged.if;
    delete merged.then;
  }
  for (const part of parts) {
    const flat = flatten(part);
    conditionals.push(...((flat['x-conditionals'] as Conditional[] | undefined) ?? []));
    delete flat['x-conditionals'];
    merged = merge(merged, flat);
  }
  if (conditionals.length > 0) merged['x-conditionals'] = conditionals;
  return merged;
}

function merge(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a, ...b };
  if (a.properties || b.properties) {
    const properties: Record<string, Schema> = { ...(a.properties as Record<string, Schema> | undefined) };
    for (const [key, value] of Object.entries((b.properties as Record<string, Schema> | undefined) ?? {})) {
      properties[key] = properties[key] ? merge(properties[key]!, value) : value;
    }
    out.properties = properties;
  }
  if (a.required || b.required) out.required = [...new Set([...((a.required as string[]) ?? []), ...((b.required as string[]) ?? [])])];
  if (a.type && !b.type) out.type = a.type;
  return out;
}

export function arbitraryFor(schema: Schema, hint: Hint = () => undefined, property = ''): fc.Arbitrary<unknown> {
  const flat = flatten(schema);
  const own = plain(flat, hint);
  const hinted = hint(property, flat);
  return hinted ? fc.oneof({ arbitrary: hinted, weight: 3 }, { arbitrary: own, weight: 1 }) : own;
}

function plain(schema: Schema, hint: Hint): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : inferredTypes(schema);
  if (types.length === 0) return fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(...types.map((type) => ofType(type, schema, hint)));
}

function inferredTypes(schema: Schema): string[] {
  if (schema.properties || schema.required || schema.anyOf) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

function ofType(type: string, schema: Schema, hint: Hint): fc.Arbitrary<unknown> {
  switch (type) {
    case 'object':
      return objectFor(schema, hint);
    case 'array':
      return fc.array(arbitraryFor((schema.items as Schema | undefined) ?? {}, hint), {
        minLength: (schema.minItems as number | undefined) ?? 0,
        maxLength: Math.min((schema.maxItems as number | undefined) ?? 4, 4),
      });
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.oneof(
        fc.integer({ min: (schema.minimum as number | undefined) ?? -1000, max: (schema.maximum as number | undefined) ?? 100_000 }),
        fc.integer({ min: (schema.minimum as number | undefined) ?? Number.MIN_SAFE_INTEGER, max: (schema.maximum as number | undefined) ?? Number.MAX_SAFE_INTEGER }),
      );
    case 'number':
      return fc.double({
        min: (schema.minimum as number | undefined) ?? -Number.MAX_VALUE,
        max: (schema.maximum as number | undefined) ?? Number.MAX_VALUE,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      throw new Error(`schema-arbitrary: no generator for type ${type}`);
  }
}

function objectFor(schema: Schema, hint: Hint): fc.Arbitrary<Record<string, unknown>> {
  if (Array.isArray(schema.anyOf)) {
    const { anyOf, ...rest } = schema;
    return fc.oneof(...(anyOf as Schema[]).map((branch) => objectFor(merge(rest, flatten(branch)), hint)));
  }
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  const required = ((schema.required as string[] | undefined) ?? []).filter((key) => key in properties);
  const model = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, arbitraryFor(value, hint, key)]));
  let value: fc.Arbitrary<Record<string, unknown>> = fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
  const conditionals = (schema['x-conditionals'] as Conditional[] | undefined) ?? [];
  const dependencies = Object.entries((schema.dependentRequired as Record<string, string[]> | undefined) ?? {});
  if (conditionals.length > 0 || dependencies.length > 0) {
    value = value.chain((object) => {
      const missing = new Set<string>();
      for (const { if: condition, then } of conditionals) {
        if (matchesConsts(object, condition)) for (const key of (then.required as string[] | undefined) ?? []) missing.add(key);
      }
      for (const [key, needs] of dependencies) if (key in object) needs.forEach((need) => missing.add(need));
      const add = [...missing].filter((key) => !(key in object) && properties[key]);
      if (add.length === 0) return fc.constant(object);
      return fc.record(Object.fromEntries(add.map((key) => [key, arbitraryFor(properties[key]!, hint, key)]))).map((extra) => ({ ...object, ...extra }));
    });
  }
  const minProperties = schema.minProperties as number | undefined;
  return minProperties ? value.filter((object) => Object.keys(object).length >= minProperties) : value;
}

/** The document's `if`s test one property's `const`. */
function matchesConsts(object: Record<string, unknown>, condition: Schema): boolean {
  return Object.entries((condition.properties as Record<string, Schema> | undefined) ?? {}).every(
    ([key, sub]) => !('const' in sub) || object[key] === sub.const,
  );
}

const codePoints = (text: string) => [...text].length;

function stringFor(schema: Schema): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = (schema.maxLength as number | undefined) ?? 10_000;
  const fits = (text: string) => codePoints(text) >= minLength && codePoints(text) <= maxLength;
  if (schema.format === 'email') return fc.emailAddress().filter(fits);
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
      .map((date) => date.toISOString());
  }
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern as string)).filter(fits);
  const short = Math.min(maxLength, Math.max(minLength, 24));
  return fc.oneof(
    fc.string({ minLength, maxLength: short }),
    fc.string({ minLength, maxLength: short, unit: 'grapheme' }),
    fc.string({ minLength, maxLength: short, unit: 'binary' }),
  ).filter(fits);
}
