import { ToolError } from '../../common/tool-error';
import type { DataverseClient } from '../client/dataverse.client';
import { FetchRunner } from './fetch-runner';
import { xml } from './xml';

const API = 'https://org.crm.dynamics.com/api/data/v9.2/';

function fakeClient(batchAnswer: string) {
  const getRelative = jest.fn(async () => ({ status: 200, headers: {}, body: { value: [{ fullname: 'A' }] } }));
  const batch = jest.fn(async () => ({
    status: 200,
    headers: { 'content-type': 'multipart/mixed; boundary=batchresponse_9' },
    body: batchAnswer,
  }));
  return { dv: { apiUrl: API, getRelative, batch } as unknown as DataverseClient, getRelative, batch };
}

const part = (status: string, body: string) =>
  `--batchresponse_9\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 ${status}\r\nContent-Type: application/json; odata.metadata=minimal\r\n\r\n${body}\r\n--batchresponse_9--\r\n`;

/** A fetch whose encoded URL passes 32,768 characters. */
const longFetch = () =>
  xml('fetch', {}, [
    xml('entity', { name: 'contact' }, [
      xml(
        'filter',
        { type: 'or' },
        Array.from({ length: 400 }, (_, i) => xml('condition', { attribute: 'fullname', operator: 'ne', value: `<name ${i} & co>` })),
      ),
    ]),
  ]);

describe('FetchRunner', () => {
  it('should GET a short FetchXML and read the paging cookie and morerecords', async () => {
    const { dv, getRelative } = fakeClient('');
    getRelative.mockResolvedValueOnce({
      status: 200,
      headers: {},
      body: {
        value: [{ fullname: 'A' }],
        '@Microsoft.Dynamics.CRM.fetchxmlpagingcookie':
          '<cookie pagenumber="2" pagingcookie="%253ccookie%2520page%253d%25221%2522%253e%253c%252fcookie%253e" istracking="False" />',
        '@Microsoft.Dynamics.CRM.morerecords': true,
      },
    } as never);

    const page = await new FetchRunner(dv).run('contacts', xml('fetch', {}, [xml('entity', { name: 'contact' })]), {});

    expect(getRelative).toHaveBeenCalledWith(
      `contacts?fetchXml=${encodeURIComponent('<fetch><entity name="contact"/></fetch>')}`,
      expect.anything(),
    );
    expect(page).toEqual({ rows: [{ fullname: 'A' }], more: true, cookie: '<cookie page="1"></cookie>' });
  });

  it('should send a FetchXML too long for a GET URL through $batch', async () => {
    const { dv, getRelative, batch } = fakeClient(part('200 OK', '{"value":[{"fullname":"B"}]}'));

    const page = await new FetchRunner(dv).run('contacts', longFetch(), { table: 'contact' });

    expect(getRelative).not.toHaveBeenCalled();
    const [boundary, body] = batch.mock.calls[0] as unknown as [string, string];
    expect(
      body.startsWith(
        `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET /api/data/v9.2/contacts?fetchXml=%3Cfetch%3E`,
      ),
    ).toBe(true);
    expect(body.length).toBeGreaterThan(32_768);
    expect(page).toEqual({ rows: [{ fullname: 'B' }], more: false, cookie: undefined });
  });

  it("should turn a failed batch part into the service's error", async () => {
    const { dv } = fakeClient(
      part('404 Not Found', '{"error":{"code":"0x8006088a","message":"Resource not found for the segment \'contacts\'."}}'),
    );

    const error = await new FetchRunner(dv).run('contacts', longFetch(), {}).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toBe(
      'Dataverse has no table or endpoint called "contacts". Call list_tables to find the table\'s name.',
    );
  });
});
