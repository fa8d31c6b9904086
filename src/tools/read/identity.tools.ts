import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { IdentityService } from '../../dataverse/identity/identity.service';
import { annotations, READ_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';
import { row } from '../surface/params';

export const identityOutputSchema = z.object({
  userId: z.string(),
  fullName: z.string().optional(),
  domainName: z.string().optional(),
  businessUnitId: z.string(),
  businessUnitName: z.string().optional(),
  organizationId: z.string(),
  timeZone: row,
  utcNow: z.string(),
});

@ToolClass('read')
export class IdentityTools {
  constructor(private readonly identity: IdentityService) {}

  @Tool({
    name: 'get_my_identity',
    description:
      'Who the signed-in user is: userId (systemuserid; "my" records: _ownerid_value eq <userId>), name, business unit, ' +
      'and time zone with its current UTC offset and local time. Cached 24 h.',
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
