import { Inject } from '@nestjs/common';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { callContext } from '../../common/call-context';
import { CallerContext, SignInResult, TOKEN_PROVIDER, TokenProvider } from '../../auth/token-provider';
import { annotations, AUTH_SIGN_IN_ANNOTATIONS, AUTH_SIGN_OUT_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';

const accountSchema = z
  .object({
    userKey: z.string().describe('Stable id of the signed-in user (Entra object id, or the sandbox systemuserid).'),
    username: z.string().optional().describe('Sign-in name, usually the e-mail address.'),
    name: z.string().optional().describe('Display name.'),
  })
  .describe('Who is signed in.');

export const signInOutputSchema = z.object({
  status: z
    .enum(['signed_in', 'pending', 'not_needed'])
    .describe(
      'signed_in: ready to use the Dataverse tools; pending: the user must open the URL (or enter the code) first; not_needed: a configured access token is used.',
    ),
  url: z.string().optional().describe('Browser sign-in: the URL the user must open. Show it to the user as is.'),
  verificationUri: z.string().optional().describe('Device-code sign-in: the page where the user enters userCode.'),
  userCode: z.string().optional().describe('Device-code sign-in: the code the user types at verificationUri.'),
  expiresAt: z
    .string()
    .optional()
    .describe('When the pending sign-in stops waiting (ISO 8601, 10 minutes after it started); call sign_in again after that.'),
  account: accountSchema.optional().describe('Who is signed in (status signed_in).'),
  message: z.string().describe('What happened and what to tell the user.'),
});

export const signOutOutputSchema = z.object({
  signedOut: z.literal(true).describe('Always true: the server no longer holds a sign-in for this user.'),
  removedAccounts: z.number().int().min(0).describe('Accounts removed from the token cache; 0 when nobody was signed in.'),
});

function callerContext(): CallerContext {
  return { bearer: callContext.current()?.bearer };
}

function structured(result: SignInResult): z.infer<typeof signInOutputSchema> {
  switch (result.status) {
    case 'signed_in':
      return { status: result.status, account: result.account, message: result.message };
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
      'Signs the user in to Microsoft Dataverse with their own Microsoft account. Call it when another tool says sign-in is required, ' +
      'or before the first Dataverse call. Returns status "pending" with a URL (or, for device code, a verificationUri and userCode): ' +
      'show the URL to the user and ask them to open it in their browser and sign in; when they say they are done, retry the request. ' +
      'Calling sign_in again while a sign-in is pending returns the same URL; a pending sign-in expires after 10 minutes. ' +
      'Returns status "signed_in" with the account when the user is already signed in, and "not_needed" when the server uses a configured access token. ' +
      'Fails with a configuration message when the server has no app registration (CLIENT_ID): relay it to the user.',
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
      "Signs the user out of Dataverse: removes their account and tokens from the server's token cache, cancels a pending sign-in, " +
      'and clears cached identity. Call it when the user asks to sign out or to switch to another account (then call sign_in). ' +
      'Safe to call when nobody is signed in (removedAccounts is then 0). After it, Dataverse tools need sign_in again.',
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
