import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { IdentityService } from '../../dataverse/identity.service';
import { annotations, READ_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';

export const identityOutputSchema = z.object({
  userId: z.string().describe('systemuserid of the signed-in user (use it in filters such as _ownerid_value eq <userId>).'),
  fullName: z.string().optional().describe('Full name of the user.'),
  domainName: z.string().optional().describe('Sign-in name (UPN) of the user.'),
  businessUnitId: z.string().describe("Id of the user's business unit."),
  businessUnitName: z.string().optional().describe("Name of the user's business unit."),
  organizationId: z.string().describe('Id of the Dataverse organization.'),
  timeZone: z
    .object({
      code: z.number().int().optional().describe('Dataverse timezonecode from the user settings.'),
      windowsName: z.string().optional().describe('Windows time zone id, e.g. "W. Europe Standard Time".'),
      displayName: z.string().optional().describe('Display name, e.g. "(GMT+01:00) Amsterdam, Berlin, ...".'),
      ianaId: z.string().optional().describe('IANA time zone id, e.g. "Europe/Berlin".'),
      utcOffset: z.string().optional().describe('Offset from UTC right now, daylight saving included, e.g. "+02:00".'),
      localTime: z.string().optional().describe("The user's current local date and time, e.g. 2025-06-03T14:05:00."),
    })
    .describe("The user's Dataverse time zone: convert local times the user mentions to UTC with utcOffset before writing them."),
  utcNow: z.string().describe('Current UTC time (ISO 8601).'),
});

@ToolClass('read')
export class IdentityTools {
  constructor(private readonly identity: IdentityService) {}

  @Tool({
    name: 'get_my_identity',
    description:
      'Returns who the signed-in Dataverse user is: systemuserid, full name, business unit, organization, and their Dataverse time zone ' +
      '(code, Windows name, IANA id, current UTC offset and local time) plus the current UTC time. ' +
      'Call it before writing dates or times the user gave in local terms ("tomorrow at 2pm"): convert them to UTC ISO 8601 with the offset. ' +
      'Also use userId to find "my" records (e.g. filter _ownerid_value eq <userId>). Cached for 24 hours; no parameters.',
    parameters: z.object({}),
    outputSchema: identityOutputSchema,
    annotations: annotations('Get my identity', READ_ANNOTATIONS),
  })
  async getMyIdentity(): Promise<CallToolResult> {
    const id = await this.identity.getIdentity();
    const tz = id.timeZone;
    const zone = tz.ianaId ?? tz.windowsName;
    const summary =
      `Signed in as ${id.fullName ?? id.userId}` +
      (zone ? `; time zone ${zone}${tz.utcOffset ? ` (UTC${tz.utcOffset}, local time ${tz.localTime})` : ''}` : '; time zone unknown') +
      '.';
    return toolResult(summary, { ...id });
  }
}
