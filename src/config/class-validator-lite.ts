/**
 * The few class-validator pieces the configuration uses, loaded from their own files.
 * The package's index loads every decorator it has (and libphonenumber-js with them): about
 * 350 ms of start-up for a server that Claude Desktop starts at every conversation.
 * Types come from the package itself; the version is locked in package-lock.json.
 */
import type * as ClassValidator from 'class-validator';

/* eslint-disable @typescript-eslint/no-require-imports */
const { IsOptional } = require('class-validator/cjs/decorator/common/IsOptional') as Pick<typeof ClassValidator, 'IsOptional'>;
const { IsIn } = require('class-validator/cjs/decorator/common/IsIn') as Pick<typeof ClassValidator, 'IsIn'>;
const { ValidateBy } = require('class-validator/cjs/decorator/common/ValidateBy') as Pick<typeof ClassValidator, 'ValidateBy'>;
const { Matches } = require('class-validator/cjs/decorator/string/Matches') as Pick<typeof ClassValidator, 'Matches'>;
const { Validator } = require('class-validator/cjs/validation/Validator') as Pick<typeof ClassValidator, 'Validator'>;
/* eslint-enable @typescript-eslint/no-require-imports */

export { IsOptional, IsIn, ValidateBy, Matches };
export type { ValidationArguments, ValidationError } from 'class-validator';

export function validateSync(object: object): ClassValidator.ValidationError[] {
  return new Validator().validateSync(object);
}
