import { Global, Module } from '@nestjs/common';
import { BulkDeleteService } from './batch/bulk-delete.service';
import { BulkWritesService } from './batch/bulk-writes.service';
import { DataverseClient } from './client/dataverse.client';
import { DeleteImpactService } from './delete/delete-impact';
import { IdentityService } from './identity/identity.service';
import { MetadataService } from './metadata/metadata.service';
import { NameLookupService } from './writes/names/name-lookup.service';
import { RelationshipsService } from './relationships/relationships.service';
import { RecordsService } from './records/records.service';
import { SearchModule } from './search/search.module';
import { QUERY_PROVIDERS } from './query';
import { WritesService } from './writes/writes.service';
import { NOTES_HISTORY } from './history/history.providers';
import { CursorStore } from './records/paging/cursor-store';

/** The services other modules use (the tools, the embedder's own modules). */
const SERVICES = [
  DataverseClient,
  IdentityService,
  MetadataService,
  RecordsService,
  WritesService,
  DeleteImpactService,
  ...NOTES_HISTORY,
  ...QUERY_PROVIDERS,
  BulkWritesService,
  NameLookupService,
  RelationshipsService,
  BulkDeleteService,
];

/**
 * Everything that speaks to Dataverse: the HTTP client (the only one) and the read and write services built on it.
 * Needs TOKEN_PROVIDER (AuthModule), APP_CONFIG and CacheService (CacheModule), all global.
 */
@Global()
@Module({
  imports: [SearchModule],
  providers: [...SERVICES, CursorStore],
  exports: SERVICES,
})
export class DataverseModule {}
