import { ApiError } from '../errors';
import { LOOKUP_TYPE, Rec } from '../store';

/** Default `maxuploadfilesize` of an environment (5 MB), checked against the base64 length as Dataverse does. */
export const MAX_UPLOAD_FILE_SIZE = 5_242_880;

/** The fields the platform derives on a note: file size in bytes, whether it carries a file, the regarding table. */
export function noteFileFields(rec: Rec): Rec {
  const body = typeof rec.documentbody === 'string' && rec.documentbody ? rec.documentbody : null;
  return {
    filesize: body ? Buffer.from(body, 'base64').length : 0,
    isdocument: !!body,
    objecttypecode: (rec[`_objectid_value${LOOKUP_TYPE}`] as string | undefined) ?? null,
  };
}

/** Refuses a note body whose file exceeds the upload limit, before anything is written. */
export function checkNoteUpload(body: unknown): void {
  const doc = body && typeof body === 'object' ? (body as Rec).documentbody : undefined;
  if (typeof doc === 'string' && doc.length > MAX_UPLOAD_FILE_SIZE) {
    throw new ApiError(400, '0x80044a02', 'Attachment file size is too big.');
  }
}
