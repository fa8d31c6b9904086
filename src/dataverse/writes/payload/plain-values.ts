import type { SchemaField } from '../../metadata/schema-format';
import { convertChoice, convertChoices } from './choices';
import { convertDateOnly, convertDateTime } from './date-times';
import { describe, GUID, INVALID, Invalid, PayloadState } from './state';

/** A field's value → its Web API form: text, numbers, yes/no, GUIDs here; dates and choices in their own files. */

const NUMERIC_STRING = /^\s*-?\d+(\.\d+)?\s*$/;
const INT32 = { min: -2147483648, max: 2147483647 };

export function convertValue(s: PayloadState, field: SchemaField, value: unknown): unknown {
  if (value === null) return null;
  const name = field.name;
  const type = field.type;
  const text = /^(string|memo)(?:\((\d+)\))?$/.exec(type);
  if (text) {
    if (typeof value !== 'string') return s.invalid(`${name} is text: give a string (in quotes), not ${describe(value)}.`);
    const max = text[2] ? Number(text[2]) : undefined;
    if (max !== undefined && value.length > max) {
      return s.invalid(`${name} takes at most ${max} characters; the value has ${value.length}. Shorten it (ask the user how).`);
    }
    return value;
  }
  switch (type) {
    case 'int':
    case 'bigint': {
      const n = convertNumber(s, name, value);
      if (n === INVALID) return INVALID;
      if (!Number.isInteger(n)) return s.invalid(`${name} is a whole number; ${n} has a fraction.`);
      if (type === 'int' && (n < INT32.min || n > INT32.max)) return s.invalid(`${name} must be between ${INT32.min} and ${INT32.max}.`);
      if (!Number.isSafeInteger(n)) return s.invalid(`${name} is too large.`);
      return n;
    }
    case 'decimal':
    case 'float':
    case 'money':
      return convertNumber(s, name, value);
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return s.invalid(`${name} is yes/no: give true or false, not ${describe(value)}.`);
    case 'datetime':
      return convertDateTime(s, name, value);
    case 'date':
      return convertDateOnly(s, name, value);
    case 'choice':
    case 'state':
    case 'status':
      return convertChoice(s, field, value);
    case 'choices':
      return convertChoices(s, field, value);
    case 'guid':
      if (typeof value === 'string' && GUID.test(value.trim())) return GUID.exec(value.trim())![1].toLowerCase();
      return s.invalid(`${name} must be a GUID like 00000000-0000-0000-0000-000000000000.`);
    case 'image':
    case 'file':
      return s.invalid(`${name} holds a ${type}; this tool cannot upload ${type}s.`);
    default:
      return value;
  }
}

function convertNumber(s: PayloadState, name: string, value: unknown): number | Invalid {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && NUMERIC_STRING.test(value)) return Number(value);
  return s.invalid(
    `${name} is a number: give digits without currency symbols or thousands separators (e.g. 25000.5), not ${describe(value)}.`,
  );
}
