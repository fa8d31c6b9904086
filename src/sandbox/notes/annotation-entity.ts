import { A, EntityDef, systemBlock, target } from '../metadata/model';

/**
 * Tables a note can be attached to, with the relationship-name stem Dataverse uses (`Account_Annotation`).
 * The `objectid` lookup is polymorphic: one navigation property per target (`objectid_account`, ...).
 */
export const NOTE_TARGETS = [
  ['account', 'Account'],
  ['contact', 'Contact'],
  ['lead', 'Lead'],
  ['opportunity', 'Opportunity'],
  ['appointment', 'Appointment'],
  ['task', 'Task'],
  ['cr8a1_project', 'cr8a1_project'],
] as const;

/** `annotation` (Note): text, an optional file (base64 `documentbody`) and the record it is about. */
export function annotationEntity(): EntityDef {
  return {
    logicalName: 'annotation',
    schemaName: 'Annotation',
    entitySetName: 'annotations',
    collectionSchemaName: 'Annotations',
    displayName: 'Note',
    displayCollectionName: 'Notes',
    description: 'Note that is attached to one or more objects, including other notes.',
    primaryIdAttribute: 'annotationid',
    primaryNameAttribute: 'subject',
    objectTypeCode: 5,
    ownershipType: 'UserOwned',
    isActivity: false,
    isCustom: false,
    isValidForAdvancedFind: true,
    attributes: [
      A.id('annotationid', 'Note'),
      A.str('subject', 'Title', 500, { isPrimaryName: true }),
      A.memo('notetext', 'Description', 100000),
      A.str('filename', 'File Name', 255),
      A.str('mimetype', 'Mime Type', 256),
      A.memo('documentbody', 'Document', 1073741823),
      A.int('filesize', 'File Size (Bytes)', { readOnly: true, minValue: 0 }),
      A.bool('isdocument', 'Is Document', ['No', 'Yes'], { readOnly: true }),
      A.str('langid', 'Language ID', 2),
      A.str('stepid', 'Step Id', 32),
      A.lookup(
        'objectid',
        'Regarding',
        NOTE_TARGETS.map(([t, stem]) => target(t, `objectid_${t}`, `${stem}_Annotation`, 'Cascade')),
        { type: 'Lookup' },
      ),
      A.companion('objectidname', 'objectid', 'String', 'Regarding'),
      A.str('objecttypecode', 'Object Type', 64, { readOnly: true, type: 'EntityName', format: undefined, maxLength: undefined }),
      ...systemBlock('annotation', 'annotationbase', 'UserOwned'),
    ],
  };
}
