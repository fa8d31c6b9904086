/** HTML pieces of the sandbox record viewer: escaping, the page frame and its inline style (no external assets). */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A path segment of a viewer link. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

const STYLE = `
:root { color-scheme: light; --ink: #1d2733; --muted: #5d6b7a; --line: #dde3ea; --accent: #0e7c86; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { background: #0e5f70; color: #fff; padding: 12px 24px; display: flex; align-items: baseline; gap: 16px; }
header strong { font-size: 16px; }
header span { opacity: .85; font-size: 13px; }
main { max-width: 1100px; margin: 0 auto; padding: 20px 24px 48px; }
nav.crumbs { font-size: 13px; color: var(--muted); margin-bottom: 8px; }
h1 { font-size: 22px; margin: 0 0 4px; }
p.sub { color: var(--muted); margin: 0 0 16px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
th, td { text-align: left; padding: 7px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef2f5; font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
tr:last-child td { border-bottom: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); }
td.value { white-space: pre-wrap; word-break: break-word; }
.raw { color: var(--muted); font-size: 12px; margin-left: 6px; }
.tag { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; background: #e3f1f2; color: #0b5f66; margin-left: 6px; }
table + p.sub { margin-top: 10px; }
.empty { padding: 24px; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
`;

export function page(title: string, crumbs: Array<[string, string?]>, body: string): string {
  const trail = crumbs.map(([label, href]) => (href ? `<a href="${esc(href)}">${esc(label)}</a>` : esc(label))).join(' / ');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${esc(title)} · Dataverse sandbox</title><style>${STYLE}</style></head><body>` +
    '<header><strong>Dataverse sandbox</strong><span>read-only view of the emulated records; reload to see changes</span></header>' +
    `<main><nav class="crumbs">${trail}</nav>${body}</main></body></html>`
  );
}
