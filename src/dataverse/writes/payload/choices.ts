import type { SchemaField } from '../../metadata/schema-format';
import { describe, INVALID, Invalid, PayloadState } from './state';

/** Choices (single, state, status) and multi-select choices: the number or the label, case-insensitive. */

export interface Option {
  value: number;
  label: string;
}

/** `"1=Preferred Customer|2=Inactive (state 1)"` → options. */
export function parseOptions(spec: string | undefined): Option[] {
  if (!spec) return [];
  return spec
    .split('|')
    .map((part) => /^(-?\d+)=(.*?)(?: \(state -?\d+\))?$/.exec(part))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ value: Number(m[1]), label: m[2] }));
}

export function convertChoice(s: PayloadState, field: SchemaField, value: unknown): number | Invalid {
  const options = parseOptions(field.options);
  const valid = () => options.map((o) => `${o.value}=${o.label}`).join(', ');
  if (!options.length) {
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    return s.invalid(`${field.name} takes a choice number; its options are not known, call get_table_schema.`);
  }
  const hit = option(s, field, options, value);
  if (hit === undefined) return INVALID;
  if (hit === null) return s.invalid(`${field.name}: ${describe(value)} is not one of its values. Valid values: ${valid()}.`);
  return hit;
}

export function convertChoices(s: PayloadState, field: SchemaField, value: unknown): string | Invalid {
  const options = parseOptions(field.options);
  const items = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',')
      : typeof value === 'number'
        ? [value]
        : undefined;
  if (!items) return s.invalid(`${field.name} takes several choices: give an array of numbers or labels, e.g. [1, "Other label"].`);
  const values: number[] = [];
  for (const item of items) {
    const hit = options.length ? option(s, field, options, item) : typeof item === 'number' ? item : null;
    if (hit === undefined) return INVALID;
    if (hit === null) {
      return s.invalid(
        `${field.name}: ${describe(item)} is not one of its values. Valid values: ${options.map((o) => `${o.value}=${o.label}`).join(', ')}.`,
      );
    }
    if (!values.includes(hit)) values.push(hit);
  }
  return values.join(',');
}

/** Number or label (case-insensitive) → value; null when it matches nothing, undefined after an ambiguity problem. */
function option(s: PayloadState, field: SchemaField, options: Option[], value: unknown): number | null | undefined {
  if (typeof value === 'number') return options.some((o) => o.value === value) ? value : null;
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (/^-?\d+$/.test(v)) return options.some((o) => o.value === Number(v)) ? Number(v) : null;
  const hits = options.filter((o) => o.label.toLowerCase() === v.toLowerCase());
  if (hits.length > 1) {
    s.problem(`${field.name}: the label "${v}" is used by ${hits.map((h) => h.value).join(' and ')}; give the number.`);
    return undefined;
  }
  return hits.length ? hits[0].value : null;
}
