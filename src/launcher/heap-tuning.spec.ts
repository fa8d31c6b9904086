import * as v8 from 'node:v8';
import { HTTP_HEAP_GROWING_PERCENT, tuneHeapForService } from './heap-tuning';

jest.mock('node:v8', () => ({ setFlagsFromString: jest.fn() }));

describe('tuneHeapForService', () => {
  beforeEach(() => jest.mocked(v8.setFlagsFromString).mockClear());

  it('should bound the heap growth of an HTTP service', () => {
    expect(tuneHeapForService(['sse', 'http'])).toBe(true);
    expect(v8.setFlagsFromString).toHaveBeenCalledWith(`--heap-growing-percent=${HTTP_HEAP_GROWING_PERCENT}`);
  });

  it('should leave a stdio-only process (one conversation) to V8', () => {
    expect(tuneHeapForService(['stdio'])).toBe(false);
    expect(v8.setFlagsFromString).not.toHaveBeenCalled();
  });
});
