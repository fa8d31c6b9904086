import { Injectable, Optional } from '@nestjs/common';
import { ToolError } from '../../common/tool-error';
import { DataverseClient, FORMATTED_ANNOTATIONS } from '../client/dataverse.client';
import { localClock } from '../history/local-time';
import { IdentityService } from '../identity/identity.service';
import { MetadataService } from '../metadata/metadata.service';
import { outsideScope } from '../scope/table-scope';
import { buildQuery, recordPath, validateGuid } from '../client/odata';

/** Newest notes returned with a record. */
export const NOTES_MAX = 20;
/** Characters of a note's text shown in the list; the cut is marked and says how to read the rest. */
export const NOTE_TEXT_MAX = 500;
/** Largest file returned by get_record on annotation with select documentbody (bytes, before base64). */
export const ATTACHMENT_MAX_BYTES = 1_048_576;

const FV = '@OData.Community.Display.V1.FormattedValue';
const LOOKUP_TABLE = '@Microsoft.Dynamics.CRM.lookuplogicalname';
const NOTE_FIELDS = 'annotationid,subject,notetext,filename,mimetype,filesize,createdon,_createdby_value';

export interface Note {
  id: string;
  subject?: string;
  text?: string;
  fileName?: string;
  mimeType?: string;
  fileSize?: number;
  createdOn?: string;
  createdBy?: { id: string; name?: string };
}

export interface NoteList {
  notes: Note[];
  /** More notes exist than NOTES_MAX. */
  more: boolean;
}

export type Attachment =
  | { kind: 'text'; id: string; fileName: string; mimeType: string; fileSize: number; text: string }
  | { kind: 'binary'; id: string; fileName: string; mimeType: string; fileSize: number; base64: string };

type Row = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** Text-like files come back as text; everything else as a base64 resource. */
export function isTextLike(mimeType: string | undefined): boolean {
  const m = (mimeType ?? '').toLowerCase().split(';')[0].trim();
  return (
    m.startsWith('text/') ||
    /^application\/(json|xml|csv|x-csv|yaml|x-yaml|javascript|x-ndjson)$/.test(m) ||
    m.endsWith('+json') ||
    m.endsWith('+xml')
  );
}

/** Notes (`annotation`) about a record, and the file of one note. */
@Injectable()
export class NotesService {
  constructor(
    private readonly dv: DataverseClient,
    private readonly identity: IdentityService,
    @Optional() private readonly metadata?: MetadataService,
  ) {}

  /** Notes are records of `annotation`: the table scope must include it. */
  private assertNotesInScope(): void {
    this.metadata?.scope.assert('annotation');
  }

  async listFor(id: string): Promise<NoteList> {
    this.assertNotesInScope();
    const filter = `_objectid_value eq ${validateGuid(id)}`;
    const [res, clock] = await Promise.all([
      this.dv.getRelative<{ value: Row[]; '@odata.nextLink'?: string }>(
        `annotations${buildQuery({ $select: NOTE_FIELDS, $filter: filter, $orderby: 'createdon desc' })}`,
        { prefer: { annotations: FORMATTED_ANNOTATIONS, maxPageSize: NOTES_MAX }, context: { table: 'annotation' } },
      ),
      localClock(this.identity),
    ]);
    const notes = res.body.value.slice(0, NOTES_MAX).map((r): Note => {
      const noteId = String(r.annotationid);
      const note: Note = { id: noteId };
      if (str(r.subject)) note.subject = str(r.subject);
      const text = str(r.notetext);
      if (text) note.text = capText(text, noteId);
      if (str(r.filename)) {
        note.fileName = str(r.filename);
        if (str(r.mimetype)) note.mimeType = str(r.mimetype);
        if (typeof r.filesize === 'number') note.fileSize = r.filesize;
      }
      const createdOn = clock(r.createdon, r[`createdon${FV}`]);
      if (createdOn) note.createdOn = createdOn;
      if (typeof r._createdby_value === 'string') {
        note.createdBy = { id: r._createdby_value, ...(str(r[`_createdby_value${FV}`]) ? { name: str(r[`_createdby_value${FV}`]) } : {}) };
      }
      return note;
    });
    return { notes, more: !!res.body['@odata.nextLink'] || res.body.value.length > NOTES_MAX };
  }

  /** The file of a note: size checked first (without downloading it), then fetched and decoded when text-like. */
  async readAttachment(idInput: string): Promise<Attachment> {
    const id = validateGuid(idInput);
    this.assertNotesInScope();
    const path = recordPath('annotations', id);
    const ctx = { context: { table: 'annotation', id } };
    const head = await this.dv.get<Row>(path, {
      query: { $select: 'filename,mimetype,filesize,isdocument,_objectid_value' },
      prefer: { annotations: FORMATTED_ANNOTATIONS },
      ...ctx,
    });
    // A note about a record of an out-of-scope table is refused like the table itself.
    const about = head.body[`_objectid_value${LOOKUP_TABLE}`];
    if (typeof about === 'string' && this.metadata && !this.metadata.scope.allows(about)) throw outsideScope(about);
    const fileName = str(head.body.filename);
    const fileSize = typeof head.body.filesize === 'number' ? head.body.filesize : 0;
    if (!fileName && !fileSize) {
      throw new ToolError(
        'not_found',
        `Note ${id} has no file attached. Its text is in notetext (get_record table "annotation", select ["notetext"]).`,
      );
    }
    if (fileSize > ATTACHMENT_MAX_BYTES) {
      throw new ToolError(
        'invalid_input',
        `The file "${fileName ?? '?'}" of note ${id} is ${fileSize.toLocaleString('en-US')} bytes; files up to ` +
          `${ATTACHMENT_MAX_BYTES.toLocaleString('en-US')} bytes (1 MB) can be read here. Open the note in Dataverse to download it.`,
      );
    }
    const full = await this.dv.get<Row>(path, { query: { $select: 'documentbody,filename,mimetype' }, ...ctx });
    const base64 = str(full.body.documentbody) ?? '';
    const mimeType = str(full.body.mimetype) ?? 'application/octet-stream';
    const name = str(full.body.filename) ?? fileName ?? 'attachment';
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length > ATTACHMENT_MAX_BYTES) {
      throw new ToolError(
        'invalid_input',
        `The file "${name}" of note ${id} is ${bytes.length.toLocaleString('en-US')} bytes; files up to ` +
          `${ATTACHMENT_MAX_BYTES.toLocaleString('en-US')} bytes (1 MB) can be read here.`,
      );
    }
    if (isTextLike(mimeType)) return { kind: 'text', id, fileName: name, mimeType, fileSize: bytes.length, text: bytes.toString('utf8') };
    return { kind: 'binary', id, fileName: name, mimeType, fileSize: bytes.length, base64: bytes.toString('base64') };
  }
}

/** Cuts a long note text and says where the rest is. */
export function capText(text: string, noteId: string): string {
  if (text.length <= NOTE_TEXT_MAX) return text;
  return (
    `${text.slice(0, NOTE_TEXT_MAX)}… [cut at ${NOTE_TEXT_MAX} of ${text.length} chars; ` +
    `full text: get_record table "annotation", id "${noteId}", select ["notetext"]]`
  );
}
