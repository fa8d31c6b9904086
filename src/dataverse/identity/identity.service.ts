import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CacheService } from '../../cache/cache.service';
import { cacheKeys } from '../../cache/cache-keys';
import { TOKEN_PROVIDER, TokenProvider } from '../../auth/token-provider';
import { DataverseClient } from '../client/dataverse.client';
import { validateGuid } from '../client/odata';
import { windowsToIana, zoneNow } from './time-zones';

/** What is cached (24 h): facts that do not change while the user is signed in. */
export interface CachedIdentity {
  userId: string;
  fullName?: string;
  domainName?: string;
  businessUnitId: string;
  businessUnitName?: string;
  organizationId: string;
  timeZoneCode?: number;
  windowsName?: string;
  displayName?: string;
  /** Standard bias in minutes (UTC = local + bias), the fallback when the zone has no IANA mapping. */
  bias?: number;
}

export interface IdentityTimeZone {
  code?: number;
  windowsName?: string;
  displayName?: string;
  ianaId?: string;
  /** `+01:00`, including daylight saving now. */
  utcOffset?: string;
  /** Current local wall-clock time in the user's zone. */
  localTime?: string;
}

export interface Identity {
  userId: string;
  fullName?: string;
  domainName?: string;
  businessUnitId: string;
  businessUnitName?: string;
  organizationId: string;
  timeZone: IdentityTimeZone;
  utcNow: string;
}

/** WhoAmI + the user's name and Dataverse time zone. */
@Injectable()
export class IdentityService implements OnModuleInit {
  private readonly logger = new Logger('Identity');

  constructor(
    private readonly dv: DataverseClient,
    private readonly cache: CacheService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(TOKEN_PROVIDER) private readonly tokens?: TokenProvider,
  ) {}

  onModuleInit(): void {
    // Signing out drops the cached identity so the next user of this process starts clean.
    this.tokens?.onSignedOut((account) => {
      if (!this.config.dataverseApiUrl) return;
      this.cache.delete(cacheKeys.identity(this.dv.envHost, account.userKey)).catch((error: unknown) => {
        this.logger.warn({ err: error instanceof Error ? error.message : error }, 'could not drop the cached identity');
      });
    });
  }

  async getIdentity(now = new Date()): Promise<Identity> {
    const account = await this.dv.currentAccount();
    const cached = await this.cache.getOrLoad(
      cacheKeys.identity(this.dv.envHost, account.userKey),
      this.config.cacheTtl.identitySeconds,
      () => this.load(),
    );
    return present(cached, now);
  }

  private async load(): Promise<CachedIdentity> {
    const who = (
      await this.dv.get<{ UserId: string; BusinessUnitId: string; OrganizationId: string }>('WhoAmI', {
        expect: { strings: ['UserId', 'BusinessUnitId', 'OrganizationId'] },
      })
    ).body;
    const userId = validateGuid(who.UserId, 'user id');
    const businessUnitId = validateGuid(who.BusinessUnitId, 'business unit id');
    const [user, settings, unit] = await Promise.all([
      this.dv.get<{ fullname?: string; domainname?: string }>(`systemusers(${userId})`, { query: { $select: 'fullname,domainname' } }),
      this.dv
        .get<{ timezonecode?: number }>(`usersettingscollection(${userId})`, { query: { $select: 'timezonecode' } })
        .catch((error: unknown) => {
          // Some users cannot read their settings; identity is still useful without a time zone.
          this.logger.warn({ err: error instanceof Error ? error.message : error }, 'could not read the user time zone');
          return undefined;
        }),
      this.dv.get<{ name?: string }>(`businessunits(${businessUnitId})`, { query: { $select: 'name' } }).catch((error: unknown) => {
        this.logger.warn({ err: error instanceof Error ? error.message : error }, 'could not read the business unit name');
        return undefined;
      }),
    ]);
    const code = settings?.body.timezonecode;
    let zone: { standardname?: string; userinterfacename?: string; bias?: number } | undefined;
    if (typeof code === 'number') {
      const res = await this.dv.get<{ value: Array<{ standardname?: string; userinterfacename?: string; bias?: number }> }>(
        'timezonedefinitions',
        {
          query: { $select: 'standardname,userinterfacename,bias', $filter: `timezonecode eq ${Math.trunc(code)}` },
          expect: { rows: [] },
        },
      );
      zone = res.body.value[0];
    }
    return {
      userId,
      fullName: user.body.fullname ?? undefined,
      domainName: user.body.domainname ?? undefined,
      businessUnitId,
      businessUnitName: unit?.body.name ?? undefined,
      organizationId: who.OrganizationId.toLowerCase(),
      timeZoneCode: code,
      windowsName: zone?.standardname,
      displayName: zone?.userinterfacename,
      bias: zone?.bias,
    };
  }
}

/** Adds what changes by the minute: the zone's current offset and local time. */
export function present(c: CachedIdentity, now: Date): Identity {
  const ianaId = windowsToIana(c.windowsName);
  let current = ianaId ? zoneNow(ianaId, now) : undefined;
  if (!current && typeof c.bias === 'number') current = fixedOffsetNow(-c.bias, now);
  return {
    userId: c.userId,
    fullName: c.fullName,
    domainName: c.domainName,
    businessUnitId: c.businessUnitId,
    businessUnitName: c.businessUnitName,
    organizationId: c.organizationId,
    timeZone: {
      code: c.timeZoneCode,
      windowsName: c.windowsName,
      displayName: c.displayName,
      ianaId,
      utcOffset: current?.utcOffset,
      localTime: current?.localTime,
    },
    utcNow: new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
  };
}

function fixedOffsetNow(offsetMinutes: number, now: Date): { utcOffset: string; localTime: string } {
  const local = new Date(now.getTime() + offsetMinutes * 60000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return {
    utcOffset: `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`,
    localTime: local.toISOString().slice(0, 19),
  };
}
