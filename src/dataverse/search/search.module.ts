import { Global, Module } from '@nestjs/common';
import { SearchService } from './search.service';

/** Search across tables (Dataverse search, or the primary-name fallback). Uses the global Dataverse client and metadata. */
@Global()
@Module({ providers: [SearchService], exports: [SearchService] })
export class SearchModule {}
