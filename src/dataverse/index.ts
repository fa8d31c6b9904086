export { DataverseModule } from './dataverse.module';
export { DataverseClient, DATAVERSE_CLIENT_OPTIONS, DEFAULT_CLIENT_OPTIONS, FORMATTED_ANNOTATIONS } from './client/dataverse.client';
export type {
  DataverseClientOptions,
  DataverseResponse,
  PreferOptions,
  RequestOptions,
  WriteOptions,
  WriteResult,
} from './client/dataverse.client';
export { DataverseError, dataverseKindOf, toToolError } from './client/dataverse-error';
export type { DataverseErrorKind, ErrorContext } from './client/dataverse-error';
export { IdentityService } from './identity/identity.service';
export { MetadataService } from './metadata/metadata.service';
export type { TableInfo } from './metadata/metadata.service';
export { RecordsService } from './records/records.service';
export { WritesService } from './writes/writes.service';
export type { WriteOutcome } from './writes/writes.service';
export { DeleteImpactService } from './delete/delete-impact';
export type { DeleteImpact, DeleteSummary, OneToManyRelationship, RelatedCount } from './delete/delete-impact';
export { buildPayload, PARTY_ROLES } from './writes/record-payload';
export type { BuiltPayload, PayloadContext, WriteMode } from './writes/record-payload';
export * from './client/odata';
export { BulkWritesService, MAX_BULK_ROWS } from './batch/bulk-writes.service';
export type { BulkOutcome, ProgressReporter } from './batch/bulk-writes.service';
export { BulkDeleteService, MAX_BULK_DELETE } from './batch/bulk-delete.service';
export { NameLookupService } from './writes/names/name-lookup.service';
export { RelationshipsService } from './relationships/relationships.service';
export type { LinkOutcome, TableRelationship } from './relationships/relationships.service';
