/**
 * Where a person can look at a sandbox record: the sandbox record viewer on the MCP port (`/sandbox/<table>/<id>`).
 * Set once the viewer listens; undefined outside the sandbox or when no HTTP listener serves the viewer.
 */
let viewerBase: string | undefined;

export function setSandboxViewerBase(baseUrl: string | undefined): void {
  viewerBase = baseUrl?.replace(/\/+$/, '');
}

/** The viewer's page of one record, e.g. `http://127.0.0.1:8199/sandbox/contact/<id>`; undefined without a viewer. */
export function sandboxRecordUrl(table: string, id: string): string | undefined {
  if (!viewerBase) return undefined;
  return `${viewerBase}/sandbox/${encodeURIComponent(table.toLowerCase())}/${encodeURIComponent(id.toLowerCase())}`;
}
