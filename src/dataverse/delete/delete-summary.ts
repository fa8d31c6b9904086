/** The shapes of a delete summary, shared by the impact reader and the words that describe it. */

/** Related records of one relationship. */
export interface RelatedCount {
  relationship: string;
  /** Logical name of the related table. */
  table: string;
  /** Its lookup that points at the record. */
  field: string;
  /** How many related records; null when they could not be counted. */
  count: number | null;
  /** The count hit Dataverse's cap of 5000: there are at least that many. */
  atLeast?: true;
  /** Restrict relationships only: the first few of the records that block the delete. */
  records?: Array<{ id: string; name?: string }>;
}

/** What `delete_record` shows the user before they say yes, and what the proposal stores. */
export interface DeleteSummary {
  table: string;
  id: string;
  name?: string;
  /** A few identifying fields (formatted values where Dataverse gives them). */
  fields: Record<string, unknown>;
  /** Related records deleted along with it (cascade delete). */
  deletedWithIt: RelatedCount[];
  /** Related records that keep existing but lose their link to it. */
  unlinked: RelatedCount[];
  /** Related records that make Dataverse refuse the delete (restrict). */
  blocking: RelatedCount[];
  /** True when blocking relationships have records: the delete would be refused. */
  blocked: boolean;
  /** Relationships to tables outside the business-table list (not counted; not in the text). */
  notChecked?: number;
  /** The summary in plain words, to show to the user. */
  text: string;
}
