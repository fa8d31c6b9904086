import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Logger } from '@nestjs/common';
import type { Context } from '@rekog/mcp-nest/dist/mcp';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { callContext } from '../../common/call-context';
import { ToolError } from '../../common/tool-error';
import { BulkDeleteService, MAX_BULK_DELETE } from '../../dataverse/batch/bulk-delete.service';
import { DataverseClient } from '../../dataverse/dataverse.client';
import { DeleteImpactService, DeleteSummary } from '../../dataverse/delete-impact';
import { ProposalsService } from '../../proposals/proposals.service';
import type { DeleteProposal } from '../../proposals/proposal.types';
import { annotations, DELETE_CONFIRM_ANNOTATIONS, DELETE_PROPOSE_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';

const related = z.object({
  relationship: z.string().describe('Relationship schema name.'),
  table: z.string().describe('Logical name of the related table.'),
  field: z.string().describe("The related table's lookup that points at this record."),
  count: z.number().int().nullable().describe('How many related records (null: could not be counted).'),
  atLeast: z.literal(true).optional().describe("The count reached Dataverse's cap of 5000: at least that many."),
});

export const deleteSummarySchema = z.object({
  table: z.string().describe('Logical name of the table.'),
  id: z.string().describe('Id of the record.'),
  name: z.string().optional().describe('Primary name of the record.'),
  fields: z.record(z.string(), z.unknown()).describe('A few identifying fields (formatted values).'),
  deletedWithIt: z.array(related).describe('Related records that are deleted too (cascade delete).'),
  unlinked: z.array(related).describe('Related records that are kept but lose their link to this record.'),
  blocking: z.array(related).describe('Related records that make Dataverse refuse the delete (restrict) until reassigned or deleted.'),
  blocked: z.boolean().describe('True when the delete would be refused because of blocking records.'),
  notChecked: z.number().int().optional().describe('Relationships to system tables that were not counted.'),
  records: z
    .array(z.object({ id: z.string(), name: z.string().optional() }))
    .optional()
    .describe('With ids: every record to delete (counts above are totals).'),
  text: z.string().describe('The summary in plain words: show it to the user before asking.'),
});

export const deleteProposalOutputSchema = z.object({
  token: z
    .string()
    .describe(
      'One-time confirmation token for confirm_delete_record, valid until expiresAt. Never show it as something the user must type.',
    ),
  expiresAt: z.string().describe('When the token expires (ISO 8601).'),
  summary: deleteSummarySchema.describe('What the delete would do.'),
});

export const confirmDeleteOutputSchema = z.object({
  deleted: z.literal(true).describe('The record was deleted.'),
  table: z.string().describe('Logical name of the table.'),
  id: z.string().describe('Id of the deleted record.'),
  name: z.string().optional().describe('Primary name the record had.'),
  ids: z.array(z.string()).optional().describe('With ids: every deleted record.'),
});

/** How long the human gets to answer a direct confirmation request. */
const ELICITATION_TIMEOUT_MS = 5 * 60_000;

function audit(extras: Record<string, unknown>): void {
  const ctx = callContext.current();
  if (ctx) Object.assign(ctx.auditExtras, extras);
}

/**
 * Two-step delete (DESIGN §6). delete_record deletes nothing: it summarises the impact and stores a proposal
 * behind a one-time token. confirm_delete_record consumes the token (exactly once, same user) and deletes with
 * the etag read for the summary as If-Match, so a record changed since the user saw the summary is not deleted.
 *
 * Where the client supports elicitation, confirm_delete_record also asks the human directly. The proposal is
 * consumed first (the summary lives only in the proposal, and consuming first means two confirms can never both
 * ask); a decline or cancel therefore uses up the token and deletes nothing — the model must call delete_record
 * again if the user changes their mind. Without elicitation the token flow alone applies.
 */
@ToolClass('destructive')
export class DeleteTools {
  private readonly logger = new Logger('DeleteTools');

  constructor(
    private readonly impact: DeleteImpactService,
    private readonly proposals: ProposalsService,
    private readonly dv: DataverseClient,
    private readonly bulk: BulkDeleteService,
  ) {}

  @Tool({
    name: 'delete_record',
    description:
      'Step 1 of 2 of deleting a record — deletes NOTHING. Reads the record and returns an impact summary (its name and identifying fields, ' +
      'related records that would be deleted with it by cascade, records that would lose their link, and records that would make Dataverse ' +
      'refuse the delete) plus a one-time confirmation token that expires after a few minutes (expiresAt). ' +
      'Then show summary.text to the user and ask them plainly whether to delete. Call confirm_delete_record with the token ONLY after the user ' +
      'explicitly says yes in this conversation; never confirm on your own, and if the user hesitates or says no, do not confirm. ' +
      'When other records block the delete, no token is issued and the answer says what to reassign or delete first. ' +
      `Several records: give ids (up to ${MAX_BULK_DELETE}) instead of id for one summary and one token; the confirm deletes all or none.`,
    parameters: z.object({
      table: z.string().min(1).max(128).describe('Table logical name (e.g. "contact") or entity set name (e.g. "contacts").'),
      id: z.string().max(40).optional().describe('Id (GUID) of the record to delete, e.g. from list_records.'),
      ids: z.array(z.string().max(40)).min(1).max(MAX_BULK_DELETE).optional().describe('Ids of several records to delete together.'),
    }),
    outputSchema: deleteProposalOutputSchema,
    annotations: annotations('Delete record', DELETE_PROPOSE_ANNOTATIONS),
  })
  async deleteRecord(args: { table: string; id?: string; ids?: string[] }): Promise<CallToolResult> {
    if ((args.id === undefined) === (args.ids === undefined)) {
      throw new ToolError(
        'invalid_input',
        'Give either id (one record) or ids (several records), not both and not neither. Nothing was proposed.',
      );
    }
    if (args.ids) return this.proposeMany(args.table, args.ids);
    const impact = await this.impact.summarize(args.table, args.id!);
    const summary = impact.summary;
    if (summary.blocked) {
      audit({ proposal: 'not_created', reason: 'blocked_by_related_records' });
      throw new ToolError('conflict', `Nothing was deleted and no confirmation token was issued. ${summary.text}`, { reason: 'blocked' });
    }
    const account = await this.dv.currentAccount();
    const { token, expiresAt } = await this.proposals.propose({
      table: impact.table.logicalName,
      entitySet: impact.table.entitySetName,
      id: impact.id,
      userKey: account.userKey,
      etag: impact.etag,
      summary: summary as unknown as Record<string, unknown>,
    });
    audit({ proposal: 'created', recordId: impact.id });
    const text =
      `Nothing has been deleted yet. Show the user this summary and ask whether to delete: ${summary.text} ` +
      `Only if the user explicitly says yes, call confirm_delete_record with the token (valid until ${expiresAt}).`;
    return toolResult(text, { token, expiresAt, summary: { ...summary } });
  }

  /** delete_record with ids: one summary, one proposal, one token for all the records. */
  private async proposeMany(table: string, ids: string[]): Promise<CallToolResult> {
    const impact = await this.bulk.summarize(table, ids);
    const summary = impact.summary;
    if (summary.blocked) {
      audit({ proposal: 'not_created', reason: 'blocked_by_related_records' });
      throw new ToolError('conflict', `Nothing was deleted and no confirmation token was issued. ${summary.text}`, { reason: 'blocked' });
    }
    const account = await this.dv.currentAccount();
    const first = impact.records[0];
    const { token, expiresAt } = await this.proposals.propose({
      table: impact.table.logicalName,
      entitySet: impact.table.entitySetName,
      id: first.id,
      userKey: account.userKey,
      etag: first.etag,
      records: impact.records,
      summary: summary as unknown as Record<string, unknown>,
    });
    audit({ proposal: 'created', recordIds: impact.records.map((r) => r.id) });
    const text =
      `Nothing has been deleted yet. Show the user this summary and ask whether to delete all ${impact.records.length}: ${summary.text} ` +
      `Only if the user explicitly says yes, call confirm_delete_record with the token (valid until ${expiresAt}).`;
    return toolResult(text, { token, expiresAt, summary: { ...summary } });
  }

  @Tool({
    name: 'confirm_delete_record',
    description:
      'Step 2 of 2: deletes the record that delete_record proposed, exactly once. Call it only after the user explicitly said yes to the ' +
      'summary from delete_record in this conversation — never on your own initiative. The token works once, only for the user who got it, ' +
      'and expires after a few minutes; then call delete_record again. If the record changed after the proposal, it is not deleted ' +
      '(call delete_record again for a fresh summary). Where the client supports it, the user is also asked directly to accept or decline; ' +
      'a decline deletes nothing and uses up the token.',
    parameters: z.object({
      token: z.string().max(200).describe('The token returned by delete_record, exactly as given (starts with "dvdel_").'),
    }),
    outputSchema: confirmDeleteOutputSchema,
    annotations: annotations('Confirm delete record', DELETE_CONFIRM_ANNOTATIONS),
  })
  async confirmDeleteRecord(args: { token: string }, context?: Context): Promise<CallToolResult> {
    const account = await this.dv.currentAccount();
    let proposal: DeleteProposal;
    try {
      proposal = await this.proposals.consume(args.token, account.userKey);
    } catch (error) {
      audit({ proposal: 'rejected', reason: reasonOf(error) });
      throw error;
    }
    const summary = proposal.summary as Partial<DeleteSummary>;
    const name = typeof summary.name === 'string' ? summary.name : undefined;

    const answer = await this.askHuman(context, proposal);
    if (answer !== 'accept' && answer !== 'unsupported') {
      audit({ proposal: 'rejected', reason: answer === 'failed' ? 'elicitation_failed' : `user_${answer}`, recordId: proposal.id });
      throw new ToolError(
        answer === 'failed' ? 'unavailable' : 'conflict',
        answer === 'failed'
          ? 'Could not ask the user to confirm the delete directly, so nothing was deleted and the token is used up. Call delete_record again if the user still wants it deleted.'
          : `The user ${answer === 'decline' ? 'declined' : 'dismissed'} the delete of ${proposal.table}${name ? ` "${name}"` : ''}, so nothing was deleted and the token is used up. ` +
              'Do not retry unless the user asks again; then start over with delete_record.',
        { reason: `user_${answer}` },
      );
    }

    audit({ proposal: 'confirmed', recordId: proposal.id, confirmedBy: answer === 'accept' ? 'elicitation' : 'token' });
    const many = proposal.records && proposal.records.length > 0 ? proposal.records : undefined;
    try {
      if (many) await this.bulk.execute({ table: proposal.table, entitySet: proposal.entitySet, records: many });
      else await this.impact.execute(proposal);
    } catch (error) {
      audit({ deleted: false, reason: reasonOf(error) });
      throw error;
    }
    audit({ deleted: true });
    if (many) {
      return toolResult(
        `Deleted ${many.length} ${proposal.table} records: ${many.map((r) => (r.name ? `"${r.name}"` : r.id)).join(', ')}.`,
        {
          deleted: true,
          table: proposal.table,
          id: many[0].id,
          ids: many.map((r) => r.id),
        },
      );
    }
    return toolResult(`Deleted ${proposal.table}${name ? ` "${name}"` : ''} (${proposal.id}).`, {
      deleted: true,
      table: proposal.table,
      id: proposal.id,
      ...(name ? { name } : {}),
    });
  }

  /** Asks the human through MCP elicitation when the client supports it. */
  private async askHuman(
    context: Context | undefined,
    proposal: DeleteProposal,
  ): Promise<'accept' | 'decline' | 'cancel' | 'unsupported' | 'failed'> {
    const server = context?.mcpServer?.server;
    if (!server?.getClientCapabilities()?.elicitation) return 'unsupported';
    const text = typeof proposal.summary.text === 'string' ? proposal.summary.text : `Delete ${proposal.table} ${proposal.id}.`;
    try {
      const result = await server.elicitInput(
        {
          message: `Permanently delete this record? ${text}`,
          requestedSchema: {
            type: 'object',
            properties: {
              confirm: {
                type: 'boolean',
                title: 'Delete it',
                description: 'Yes, delete this record (and anything deleted with it) permanently.',
              },
            },
            required: ['confirm'],
          },
        },
        { timeout: ELICITATION_TIMEOUT_MS },
      );
      if (result.action === 'accept') return result.content?.confirm === true ? 'accept' : 'decline';
      return result.action;
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'elicitation failed; nothing deleted');
      return 'failed';
    }
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof ToolError) return typeof error.details?.reason === 'string' ? error.details.reason : error.kind;
  return 'internal';
}

/** Hidden when DATAVERSE_READ_ONLY is true or DATAVERSE_ALLOW_DELETE is false. */
export const DELETE_TOOLS = [DeleteTools];
