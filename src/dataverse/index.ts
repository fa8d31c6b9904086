export { DataverseModule } from './dataverse.module';
export { DataverseClient, DATAVERSE_CLIENT_OPTIONS, DEFAULT_CLIENT_OPTIONS, FORMATTED_ANNOTATIONS } from './dataverse.client';
export type {
  DataverseClientOptions,
  DataverseResponse,
  PreferOptions,
  RequestOptions,
  WriteOptions,
  WriteResult,
} from './dataverse.client';
export { DataverseError, dataverseKindOf, toToolError } from './dataverse-error';
export type { DataverseErrorKind, ErrorContext } from './dataverse-error';
export { IdentityService } from './identity.service';
export { MetadataService } from './metadata.service';
export type { TableInfo } from './metadata.service';
export { RecordsService } from './records.service';
export { WritesService } from './writes.service';
export type { WriteOutcome } from './writes.service';
export { DeleteImpactService } from './delete-impact';
export type { DeleteImpact, DeleteSummary, OneToManyRelationship, RelatedCount } from './delete-impact';
export { buildPayload, PARTY_ROLES } from './record-payload';
export type { BuiltPayload, PayloadContext, WriteMode } from './record-payload';
export * from './odata';
export { BulkWritesService, MAX_BULK_ROWS } from './batch/bulk-writes.service';
export type { BulkOutcome, ProgressReporter } from './batch/bulk-writes.service';
export { BulkDeleteService, MAX_BULK_DELETE } from './batch/bulk-delete.service';
export { NameLookupService } from './names/name-lookup.service';
export { RelationshipsService } from './relationships/relationships.service';
export type { LinkOutcome, TableRelationship } from './relationships/relationships.service';
