import { NotesService } from '../notes/notes.service';
import { HistoryService } from './history.service';

/** The notes and record-history services, provided and exported by DataverseModule. */
export const NOTES_HISTORY = [NotesService, HistoryService];
