import { deepFreeze } from '../../common/deep-freeze';
import { withKnownJson } from '../../common/known-json';
import { reusableResult, toolResult } from '../../tools/pipeline/tool-result';
import { serializeAnswer } from './serialize-answer';

describe('serializeAnswer', () => {
  const page = () => {
    const records = deepFreeze([{ fullname: 'Ana "A" Ito', parentcustomerid: { id: 'x', table: 'account' } }, { fullname: 'Søren' }]);
    return withKnownJson(records, JSON.stringify(records));
  };

  it('should write every kind of answer as JSON.stringify writes it', () => {
    const answers = [
      {
        result: toolResult('2 contact records.', { table: 'contact', records: page(), hasMore: true, nextCursor: 'c' }),
        jsonrpc: '2.0',
        id: 7,
      },
      { result: toolResult('', { table: 'contact', records: page(), hasMore: false, nextCursor: undefined }), jsonrpc: '2.0', id: 'a"b' },
      { result: reusableResult(toolResult('schema', { fields: [{ name: 'x' }] })), jsonrpc: '2.0', id: 1 },
      { result: { content: [{ type: 'text', text: 'plain' }], isError: true }, jsonrpc: '2.0', id: 2 },
      { result: { tools: [] }, jsonrpc: '2.0', id: 3 },
      { jsonrpc: '2.0', id: 4, error: { code: -32601, message: 'Method not found' } },
    ] as const;
    for (const answer of answers) expect(serializeAnswer(answer as never)).toBe(JSON.stringify(answer));
  });

  it("should reuse a page's noted JSON in the text and in the structured content", () => {
    const records = withKnownJson(deepFreeze([{ id: 1 }]), '[{"id":"noted"}]');
    const answer = { result: toolResult('1 record.', { records }), jsonrpc: '2.0' as const, id: 1 };

    expect(serializeAnswer(answer)).toBe(
      '{"result":{"content":[{"type":"text","text":"1 record.\\n{\\"records\\":[{\\"id\\":\\"noted\\"}]}"}],' +
        '"structuredContent":{"records":[{"id":"noted"}]}},"jsonrpc":"2.0","id":1}',
    );
  });
});
