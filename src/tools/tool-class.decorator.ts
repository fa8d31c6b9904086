import { applyDecorators, Injectable, SetMetadata, UseGuards, UseInterceptors } from '@nestjs/common';
import { AUDIT_CATEGORY_KEY, AuditCategory } from '../audit/audit.interceptor';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { SignedInGuard } from '../auth/signed-in.guard';

/**
 * A class of MCP tools: every call is audited; Dataverse tools also need a signed-in user
 * (the guard answers with an isError result that tells the model to call sign_in).
 */
export function ToolClass(category: AuditCategory, options: { requiresSignIn: boolean } = { requiresSignIn: true }) {
  return applyDecorators(
    Injectable(),
    SetMetadata(AUDIT_CATEGORY_KEY, category),
    UseInterceptors(AuditInterceptor),
    ...(options.requiresSignIn ? [UseGuards(SignedInGuard)] : []),
  );
}
