import { Inject } from '@nestjs/common';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { callContext } from '../../common/call-context';
import { CallerContext, SignInResult, TOKEN_PROVIDER, TokenProvider } from '../../auth/token-provider';
import { annotations, AUTH_SIGN_IN_ANNOTATIONS, AUTH_SIGN_OUT_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';

export const signInOutputSchema = z.object({
  status: z.enum(['signed_in', 'pending', 'not_needed']).describe('pending: the user must open url (or enter userCode) first'),
  url: z.string().optional().describe('Browser sign-in URL'),
  verificationUri: z.string().optional().describe('Device-code page'),
  userCode: z.string().optional().describe('Device code'),
  expiresAt: z.string().optional().describe('Pending sign-in expiry'),
  account: z.looseObject({ userKey: z.string() }).optional().describe('Who is signed in'),
  message: z.string().describe('What to tell the user'),
});

export const signOutOutputSchema = z.object({
  signedOut: z.literal(true).describe('Always true'),
  removedAccounts: z.number().int().min(0).describe('Accounts removed from the token cache'),
});

function callerContext(): CallerContext {
  return { bearer: callContext.current()?.bearer };
}

function structured(result: SignInResult): z.infer<typeof signInOutputSchema> {
  switch (result.status) {
    case 'signed_in':
      return { status: result.status, account: { ...result.account }, message: result.message };
    case 'not_needed':
      return { status: result.status, message: result.message };
    case 'pending':
      return result.flow === 'browser'
        ? { status: 'pending', url: result.url, expiresAt: result.expiresAt, message: result.message }
        : {
            status: 'pending',
            verificationUri: result.verificationUri,
            userCode: result.userCode,
            expiresAt: result.expiresAt,
            message: result.message,
          };
  }
}

/** sign_in and sign_out: thin over the TokenProvider; errors are ToolErrors the pipeline turns into isError results. */
@ToolClass('auth', { requiresSignIn: false })
export class AuthTools {
  constructor(@Inject(TOKEN_PROVIDER) private readonly tokens: TokenProvider) {}

  @Tool({
    name: 'sign_in',
    description:
      'Signs the user in with their Microsoft account, when a tool says sign-in is required. status "pending": show the user the url ' +
      '(or verificationUri and userCode), and retry once they are done (expires in 10 min; sign_in again gives the same url). ' +
      '"signed_in": already; "not_needed": a configured token is used. A configuration error: relay it to the user.',
    parameters: z.object({}),
    outputSchema: signInOutputSchema,
    annotations: annotations('Sign in to Dataverse', AUTH_SIGN_IN_ANNOTATIONS),
  })
  async signIn(): Promise<CallToolResult> {
    const result = await this.tokens.signIn(callerContext());
    const data = structured(result);
    const link = result.status === 'pending' ? (result.flow === 'browser' ? result.url : result.verificationUri) : undefined;
    if (!link || !result.message.includes(link)) return toolResult(result.message, data);
    // The link once per channel: in the text's first line, and as the url/verificationUri field of the data.
    const field = result.status === 'pending' && result.flow === 'browser' ? 'url' : 'verificationUri';
    const { [field]: _link, message: _message, ...rest } = data;
    const text = `${result.message}\n${JSON.stringify(rest)}`;
    return { content: [{ type: 'text', text }], structuredContent: { ...data, message: result.message.split(link).join(`the ${field}`) } };
  }

  @Tool({
    name: 'sign_out',
    description:
      'Signs the user out: drops their tokens and cached identity, cancels a pending sign-in. To switch accounts, then call sign_in.',
    parameters: z.object({}),
    outputSchema: signOutOutputSchema,
    annotations: annotations('Sign out from Dataverse', AUTH_SIGN_OUT_ANNOTATIONS),
  })
  async signOut(): Promise<CallToolResult> {
    const result = await this.tokens.signOut(callerContext());
    const summary =
      result.removedAccounts > 0
        ? `Signed out of Dataverse (${result.removedAccounts} account${result.removedAccounts === 1 ? '' : 's'} removed). Call sign_in to sign in again.`
        : 'Nobody was signed in; nothing to remove.';
    return toolResult(summary, { signedOut: result.signedOut, removedAccounts: result.removedAccounts });
  }
}
