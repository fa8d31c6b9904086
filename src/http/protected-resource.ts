import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config';
import { ENTRA_AUTHORITY_HOST, OBO_REQUIRED_SCOPE } from '../auth/obo/obo-deps';

export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';

/** RFC 9728 protected resource metadata: where MCP clients learn which authorization server and scope to use. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: string[];
  resource_name: string;
}

export function protectedResourceMetadata(config: Pick<AppConfig, 'mcpBaseUrl' | 'tenantId' | 'clientId'>): ProtectedResourceMetadata {
  return {
    // The MCP endpoints (/mcp, /sse) live under the base URL, so clients accept it as their resource.
    resource: config.mcpBaseUrl,
    // Entra ID's issuer; clients find its OpenID configuration under /.well-known/openid-configuration.
    authorization_servers: [`${ENTRA_AUTHORITY_HOST}/${config.tenantId}/v2.0`],
    scopes_supported: [`api://${config.clientId}/${OBO_REQUIRED_SCOPE}`],
    bearer_methods_supported: ['header'],
    resource_name: 'Dataverse MCP server',
  };
}

/** The URL a 401 points clients to (`WWW-Authenticate: Bearer resource_metadata="..."`). */
export function protectedResourceMetadataUrl(config: Pick<AppConfig, 'mcpBaseUrl'>): string {
  return `${config.mcpBaseUrl}${PROTECTED_RESOURCE_PATH}`;
}

/**
 * Serves the metadata at `/.well-known/oauth-protected-resource`, and at the path-suffixed forms RFC 9728
 * clients try for a resource with a path (`.../oauth-protected-resource/mcp`, `/sse`). Public: no token needed.
 */
export function createProtectedResourceHandler(config: Pick<AppConfig, 'mcpBaseUrl' | 'tenantId' | 'clientId'>) {
  const body = JSON.stringify(protectedResourceMetadata(config));
  const paths = new Set([PROTECTED_RESOURCE_PATH, `${PROTECTED_RESOURCE_PATH}/mcp`, `${PROTECTED_RESOURCE_PATH}/sse`]);
  return function protectedResource(req: Request, res: Response, next: NextFunction): void {
    if (!paths.has(req.path.replace(/\/$/, '')) || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('application/json').send(body);
  };
}
