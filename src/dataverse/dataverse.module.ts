import { Global, Module } from '@nestjs/common';
import { DataverseClient } from './dataverse.client';
import { IdentityService } from './identity.service';
import { MetadataService } from './metadata.service';
import { RecordsService } from './records.service';

/**
 * Everything that speaks to Dataverse: the HTTP client (the only one) and the read services built on it.
 * Needs TOKEN_PROVIDER (AuthModule), APP_CONFIG and CacheService (CacheModule), all global.
 */
@Global()
@Module({
  providers: [DataverseClient, IdentityService, MetadataService, RecordsService],
  exports: [DataverseClient, IdentityService, MetadataService, RecordsService],
})
export class DataverseModule {}
