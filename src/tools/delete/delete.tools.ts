import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Logger } from '@nestjs/common';
import type { Context } from '@rekog/mcp-nest/dist/mcp';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { callContext } from '../../common/call-context';
import { ToolError } from '../../common/tool-error';
import { BulkDeleteService, MAX_BULK_DELETE } from '../../dataverse/batch/bulk-delete.service';
import { DataverseClient } from '../../dataverse/client/dataverse.client';
import { DeleteImpactService, DeleteSummary } from '../../dataverse/delete/delete-impact';
import { ProposalsService } from '../../proposals/proposals.service';
import type { DeleteProposal } from '../../proposals/proposal.types';
import { annotations, DELETE_CONFIRM_ANNOTATIONS, DELETE_PROPOSE_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';
import { idParam, tableParam } from '../surface/params';

/** The summary's full shape is DeleteSummary (src/dataverse/delete/delete-impact); listed here: what a client needs to show it. */
export const deleteSummarySchema = z.looseObject({ table: z.string(), id: z.string(), name: z.string().optional(), text: z.string() });

export const deleteProposalOutputSchema = z.object({ token: z.string(), expiresAt: z.string(), summary: deleteSummarySchema });

export const confirmDeleteOutputSchema = z.object({
  deleted: z.literal(true),
  table: z.string(),
  id: z.string(),
  name: z.string().optional(),
  ids: z.array(z.string()).optional(),
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
      'Step 1 of 2 of a delete; deletes NOTHING. Returns summary.text (the record, what is deleted with it, what loses its link, ' +
      'what blocks it) and a one-time token for confirm_delete_record, valid a few minutes. Show the summary and ask the user. ' +
      `Several records: ids (up to ${MAX_BULK_DELETE}) for one summary and one token.`,
    parameters: z.object({
      table: tableParam,
      id: idParam.optional(),
      ids: z.array(z.string().max(40)).min(1).max(MAX_BULK_DELETE).optional().describe('Or several record ids'),
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
      'Step 2 of 2: deletes what delete_record proposed, once, only after the user explicitly said yes. The token is for the user who ' +
      'got it and expires in minutes; a record changed since the proposal is not deleted (propose again). ' +
      'The client may also ask the user directly; a decline deletes nothing and uses up the token.',
    parameters: z.object({
      token: z.string().max(200).describe('From delete_record, as given'),
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
