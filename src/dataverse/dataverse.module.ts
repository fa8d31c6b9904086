import { Global, Module } from '@nestjs/common';
import { DataverseClient } from './dataverse.client';
import { DeleteImpactService } from './delete-impact';
import { IdentityService } from './identity.service';
import { MetadataService } from './metadata.service';
import { RecordsService } from './records.service';
import { QUERY_PROVIDERS } from './query';
import { WritesService } from './writes.service';

/**
 * Everything that speaks to Dataverse: the HTTP client (the only one) and the read and write services built on it.
 * Needs TOKEN_PROVIDER (AuthModule), APP_CONFIG and CacheService (CacheModule), all global.
 */
@Global()
@Module({
  providers: [DataverseClient, IdentityService, MetadataService, RecordsService, WritesService, DeleteImpactService, ...QUERY_PROVIDERS],
  exports: [DataverseClient, IdentityService, MetadataService, RecordsService, WritesService, DeleteImpactService, ...QUERY_PROVIDERS],
})
export class DataverseModule {}
