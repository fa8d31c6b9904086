/**
 * Local emulator of the Dataverse Web API v9.2 with deterministic sample data, a sandbox identity provider
 * (OAuth authorization code + PKCE) and fault injection. Importing this module does no work.
 */
export { startEmulator } from './server';
export type { AuditSettings, EmulatorHandle, EmulatorOptions, FaultSettings, RequestLogEntry } from './types';
export { createSandboxViewer } from './viewer/viewer';
