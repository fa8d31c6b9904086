import fc from 'fast-check';

/** Fragments that have broken URL building somewhere: OData/URL syntax, control characters, traversal, odd unicode. */
export const HOSTILE_FRAGMENTS = [
  "'",
  "''",
  '&',
  '$',
  '%26',
  '%27',
  '%2e%2e/',
  '..%2f',
  '../',
  '/',
  '\\',
  '\n',
  '\r\n',
  '\t',
  '\u0000',
  '#',
  '?',
  ' ',
  '+',
  '=',
  ';',
  '%',
  '%zz',
  '"',
  '(',
  ')',
  '$top=1',
  '&$select=contactid',
  '&$filter=true',
  "' or 1 eq 1 or '",
  '😀',
  'é',
  '\u202e',
  '\ud800',
  '<script>',
] as const;

export const hostileString: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE_FRAGMENTS), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 })), {
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

/**
 * A few huge values: a long string, a long list, a deep array. They stay under the 100 KB request body limit of the
 * HTTP listener even six at once: a bigger request is refused with HTTP 413 before any tool runs (see the separate test).
 */
export const hugeValue: fc.Arbitrary<unknown> = fc.constantFrom(
  'x'.repeat(15_000),
  "contains(fullname,'" + 'a'.repeat(12_000) + "')",
  Array.from({ length: 1_500 }, (_, i) => `f${i}`),
  JSON.parse('['.repeat(500) + ']'.repeat(500)) as unknown,
);

/** Mostly `good`, sometimes hostile text, a value of the wrong type, or something huge. */
export function sometimesBad<T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: good as fc.Arbitrary<unknown> },
    { weight: 3, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
    { weight: 1, arbitrary: hugeValue },
  );
}

export const tableName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('contacts', 'contact', 'accounts', 'account', 'task', 'appointments', 'systemusers', 'CONTACTS', ' contacts'),
  fc.constantFrom(
    '../accounts',
    '%2e%2e/accounts',
    '..%2faccounts',
    'contacts/../accounts',
    'contacts/..',
    'contacts?$top=1',
    'contacts#x',
    'contacts(00000000-0000-0000-0000-000000000001)',
    'contacts/$count',
    'EntityDefinitions',
    '$metadata',
    'WhoAmI',
    '$batch',
    'contacts%3F%24top%3D1',
  ),
  fc.tuple(fc.constantFrom('contacts', 'account', ''), hostileString).map(([a, b]) => a + b),
);

export const filterText: fc.Arbitrary<string> = fc.oneof(
  hostileString,
  fc
    .tuple(
      fc.constantFrom("fullname eq '", "contains(fullname,'", 'statecode eq ', "startswith(lastname,'", 'createdon ge '),
      hostileString,
      fc.constantFrom("'", "')", '', ')'),
    )
    .map((p) => p.join('')),
);

export const selectValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('fullname,emailaddress1', 'fullname', 'fullname,$top', 'fullname&$top=1', '*', 'parentcustomerid,statuscode'),
  hostileString,
  fc.array(fc.oneof(fc.constantFrom('fullname', 'statuscode'), hostileString), { maxLength: 5 }),
);

export function recordId(knownId: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(knownId),
    fc.uuid(),
    fc.constantFrom(`{${knownId}}`, knownId.toUpperCase(), `${knownId})/..`, `${knownId}'`, `${knownId}?$select=fullname`, `${knownId}%29`),
    hostileString,
  );
}

export const pageSize: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -5, max: 600 }),
  fc.constantFrom(0, -1, 1e9, Number.MAX_SAFE_INTEGER, 0.5, 1e-9),
  fc.double(),
  fc.string({ maxLength: 4 }),
);

const b64 = (s: string) => Buffer.from(s).toString('base64url');
export function cursorValue(realCursor: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    hostileString,
    fc.json().map(b64),
    fc.constantFrom(
      b64(JSON.stringify({ url: 'http://evil.example/api/data/v9.2/contacts' })),
      b64('{"t":"contacts/../accounts"}'),
      `${realCursor}'`,
      realCursor.slice(0, -3),
    ),
    fc
      .nat({ max: Math.max(0, realCursor.length - 1) })
      .map((i) => realCursor.slice(0, i) + (realCursor[i] === 'A' ? 'B' : 'A') + realCursor.slice(i + 1)),
  );
}

const FIELD_NAMES = [
  'firstname',
  'lastname',
  'jobtitle',
  'telephone1',
  'statuscode',
  'parentcustomerid',
  'parentcustomerid_account@odata.bind',
  'parties',
  'birthdate',
  'contactid',
  '@odata.type',
];
export function recordData(marker: string): fc.Arbitrary<unknown> {
  const fieldValue = fc.oneof(
    hostileString,
    fc.jsonValue({ maxDepth: 2 }),
    fc.record({ table: tableName, id: fc.oneof(fc.uuid(), hostileString) }),
  );
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), hostileString), fieldValue, { maxKeys: 5 })
        .map((d) => ({ firstname: marker, ...d })),
    },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  );
}

export const confirmToken: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
  fc.base64String({ minLength: 40, maxLength: 48 }),
  fc.anything({ maxDepth: 1 }),
);

/** Extra, unexpected argument names (the tools should ignore or refuse them, never crash). */
export const extraArgs: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', '$filter')),
  fc.jsonValue({ maxDepth: 1 }),
  { maxKeys: 2 },
);
