import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { NotesService } from '../../dataverse/notes/notes.service';
import { parseFieldList } from '../../dataverse/client/odata';
import { toolResult } from '../pipeline/tool-result';

/** get_record's `include` parameter (model-visible: keep it short). */
export const includeParam = z
  .array(z.enum(['notes']))
  .optional()
  .describe('["notes"]: add its notes, newest first (max 20).');

/** The sentence get_record's description gains for note files. */
export const ATTACHMENT_HINT = 'Note file: table "annotation", select ["documentbody"].';

/** Output schema keys get_record gains with include (a note: id, subject, text, fileName, mimeType, fileSize, createdOn, createdBy). */
export const notesOutputShape = {
  notes: z.array(z.record(z.string(), z.unknown())).optional(),
  moreNotes: z.boolean().optional(),
};

const ANNOTATION = new Set(['annotation', 'annotations']);

/** The notes parts of get_record: a note's file on request, and the notes of a record. */
@Injectable()
export class RecordNotes {
  constructor(private readonly notes: NotesService) {}

  /** `get_record {table: "annotation", id, select: ["documentbody"]}` reads the file (size-capped), or undefined. */
  async attachment(args: { table: string; id: string; select?: string | string[] }): Promise<CallToolResult | undefined> {
    if (!ANNOTATION.has(args.table.trim().toLowerCase())) return undefined;
    let fields: string[] | undefined;
    try {
      fields = parseFieldList(args.select);
    } catch {
      return undefined; // the normal path reports the bad field names
    }
    if (!fields?.includes('documentbody')) return undefined;
    const file = await this.notes.readAttachment(args.id);
    const record = { annotationid: file.id, filename: file.fileName, mimetype: file.mimeType, filesize: file.fileSize };
    const structured = { table: 'annotation', entitySetName: 'annotations', id: file.id };
    if (file.kind === 'text') {
      return toolResult(`File "${file.fileName}" (${file.mimeType}, ${file.fileSize} bytes) of note ${file.id}, as text.`, {
        ...structured,
        record: { ...record, documentbody: file.text },
      });
    }
    const result = toolResult(
      `File "${file.fileName}" (${file.mimeType}, ${file.fileSize} bytes) of note ${file.id}, attached as a resource.`,
      { ...structured, record },
    );
    result.content.push({
      type: 'resource',
      resource: {
        uri: `dataverse:///annotations/${file.id}/${encodeURIComponent(file.fileName)}`,
        mimeType: file.mimeType,
        blob: file.base64,
      },
    });
    return result;
  }

  /** `notes` and `moreNotes` for a record when include asks for them. */
  async extras(id: string, include: string[] | undefined): Promise<{ notes?: unknown[]; moreNotes?: boolean }> {
    if (!include?.includes('notes')) return {};
    const list = await this.notes.listFor(id);
    return { notes: list.notes, ...(list.more ? { moreNotes: true } : {}) };
  }
}
