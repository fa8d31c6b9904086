import { capText, isTextLike, NOTE_TEXT_MAX } from './notes.service';

describe('notes helpers', () => {
  it('should treat text/*, JSON, CSV and XML as text and the rest as binary', () => {
    for (const m of [
      'text/plain',
      'text/csv; charset=utf-8',
      'application/json',
      'application/xml',
      'application/ld+json',
      'image/svg+xml',
    ])
      expect({ m, text: isTextLike(m) }).toEqual({ m, text: true });
    for (const m of ['image/png', 'application/pdf', 'application/octet-stream', undefined])
      expect({ m, text: isTextLike(m) }).toEqual({ m, text: false });
  });

  it('should keep short text and cut long text with a marker saying how to read the rest', () => {
    const long = 'x'.repeat(NOTE_TEXT_MAX + 50);

    expect(capText('short', 'n1')).toBe('short');
    expect(capText(long, 'n1')).toBe(
      `${'x'.repeat(NOTE_TEXT_MAX)}… [cut at ${NOTE_TEXT_MAX} of ${NOTE_TEXT_MAX + 50} chars; full text: get_record table "annotation", id "n1", select ["notetext"]]`,
    );
  });
});
