/** Web API errors in the Dataverse shape: {"error":{"code":"0x...","message":"..."}}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const Errors = {
  segmentNotFound: (segment: string) => new ApiError(404, '0x8006088a', `Resource not found for the segment '${segment}'.`),
  propertyNotFound: (prop: string, type: string) =>
    new ApiError(400, '0x80060888', `Could not find a property named '${prop}' on type '${type}'.`),
  syntax: (pos: number, text: string) => new ApiError(400, '0x80060888', `Syntax error at position ${pos} in '${text}'.`),
  query: (message: string) => new ApiError(400, '0x80060888', message),
  notFound: (entity: string, id: string) => new ApiError(404, '0x80040217', `${entity} With Id = ${id} Does Not Exist`),
  badRequest: (message: string, code = '0x80048d19') => new ApiError(400, code, message),
  invalidProperty: (prop: string, entity: string) =>
    new ApiError(400, '0x0', `Invalid property '${prop}' was found in entity 'Microsoft.Dynamics.CRM.${entity}'.`),
  undeclaredBind: (entitySet: string, prop: string) =>
    new ApiError(
      400,
      '0x80048d19',
      `Error identified in Payload provided by the user for Entity :'${entitySet}', For more information on this error please follow this help link ` +
        `https://go.microsoft.com/fwlink/?linkid=2195293  ---->  InnerException : Microsoft.OData.ODataException: An undeclared property '${prop}' ` +
        'which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation ' +
        'properties and declared named streams can be represented as properties without values.',
    ),
  versionMismatch: () =>
    new ApiError(412, '0x80060882', "The version of the existing record doesn't match the RowVersion property provided."),
  methodNotAllowed: (method: string) => new ApiError(405, '0x80060888', `The HTTP method '${method}' is not allowed for this resource.`),
};
