import { MCP_TOOL_METADATA_KEY } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import type { SignInResult, TokenProvider } from '../../auth/token-provider';
import { ToolError } from '../../common/tool-error';
import { AUTH_SIGN_IN_ANNOTATIONS, AUTH_SIGN_OUT_ANNOTATIONS } from '../annotations';
import { AuthTools, signInOutputSchema, signOutOutputSchema } from './auth.tools';

function fakeProvider(signIn: () => Promise<SignInResult>): TokenProvider {
  return {
    mode: 'interactive',
    getToken: async () => Promise.reject(new Error('unused')),
    currentAccount: async () => undefined,
    signIn,
    signOut: async () => ({ signedOut: true, removedAccounts: 1 }),
    onSignedOut: () => undefined,
  };
}

const meta = (method: keyof AuthTools) =>
  Reflect.getMetadata(MCP_TOOL_METADATA_KEY, AuthTools.prototype[method]) as {
    name: string;
    description: string;
    parameters: z.ZodObject;
    outputSchema: z.ZodObject;
    annotations: Record<string, unknown>;
  };

describe('AuthTools', () => {
  it('should return the URL as text and structured content when a browser sign-in is pending', async () => {
    const tools = new AuthTools(
      fakeProvider(async () => ({
        status: 'pending',
        flow: 'browser',
        url: 'https://login.example/authorize?x=1',
        expiresAt: '2030-01-01T00:00:00.000Z',
        message: 'Open it.',
      })),
    );

    const result = await tools.signIn();

    expect(result.structuredContent).toEqual({
      status: 'pending',
      url: 'https://login.example/authorize?x=1',
      expiresAt: '2030-01-01T00:00:00.000Z',
      message: 'Open it.',
    });
    expect(signInOutputSchema.safeParse(result.structuredContent).success).toBe(true);
    expect((result.content[0] as { text: string }).text).toContain('https://login.example/authorize?x=1');
  });

  it('should return the verification URI and user code when a device-code sign-in is pending', async () => {
    const tools = new AuthTools(
      fakeProvider(async () => ({
        status: 'pending',
        flow: 'device-code',
        verificationUri: 'https://microsoft.com/devicelogin',
        userCode: 'ABCD',
        expiresAt: '2030-01-01T00:00:00.000Z',
        message: 'Enter the code.',
      })),
    );

    const result = await tools.signIn();

    expect(result.structuredContent).toMatchObject({
      status: 'pending',
      verificationUri: 'https://microsoft.com/devicelogin',
      userCode: 'ABCD',
    });
    expect(signInOutputSchema.safeParse(result.structuredContent).success).toBe(true);
  });

  it('should give the link once in the text and once in the data when the message carries it', async () => {
    const uri = 'https://microsoft.com/devicelogin';
    const tools = new AuthTools(
      fakeProvider(async () => ({
        status: 'pending',
        flow: 'device-code',
        verificationUri: uri,
        userCode: 'ABCD',
        expiresAt: '2030-01-01T00:00:00.000Z',
        message: `Open ${uri} and enter ABCD.`,
      })),
    );

    const result = await tools.signIn();
    const text = (result.content[0] as { text: string }).text;

    expect(text.split(uri)).toHaveLength(2);
    expect(JSON.stringify(result.structuredContent).split(uri)).toHaveLength(2);
    expect(result.structuredContent).toMatchObject({
      verificationUri: uri,
      userCode: 'ABCD',
      message: 'Open the verificationUri and enter ABCD.',
    });
    expect(text).toContain('"userCode":"ABCD"');
    expect(signInOutputSchema.safeParse(result.structuredContent).success).toBe(true);
  });

  it('should let the ToolError through for the pipeline when sign-in is not configured', async () => {
    const tools = new AuthTools(fakeProvider(async () => Promise.reject(new ToolError('configuration', 'set CLIENT_ID'))));

    await expect(tools.signIn()).rejects.toMatchObject({ kind: 'configuration' });
  });

  it('should report removed accounts when signing out', async () => {
    const tools = new AuthTools(fakeProvider(async () => ({ status: 'not_needed', message: '' })));

    const result = await tools.signOut();

    expect(result.structuredContent).toEqual({ signedOut: true, removedAccounts: 1 });
    expect(signOutOutputSchema.safeParse(result.structuredContent).success).toBe(true);
  });

  it('should declare names, titles, annotations and described fields when registered', () => {
    const signIn = meta('signIn');
    const signOut = meta('signOut');

    expect(signIn.name).toBe('sign_in');
    expect(signIn.annotations).toEqual({ title: 'Sign in to Dataverse', ...AUTH_SIGN_IN_ANNOTATIONS });
    expect(signOut.name).toBe('sign_out');
    expect(signOut.annotations).toEqual({ title: 'Sign out from Dataverse', ...AUTH_SIGN_OUT_ANNOTATIONS });
    expect(signIn.description).toMatch(/sign_in/);
    for (const schema of [signIn.outputSchema, signOut.outputSchema]) {
      const undocumented = Object.entries(schema.shape).filter(([, field]) => !(field as z.ZodType).description);
      expect(undocumented.map(([name]) => name)).toEqual([]);
    }
  });
});
