/** Problems of a bulk call by row index, rendered into one message of bounded length. */

const MAX_TEXT = 4000;

/** `label` names the input array, e.g. `records` → "records[3]: ...". */
export function rowProblems(label: string) {
  const byRow = new Map<number, string[]>();
  let count = 0;
  return {
    add(row: number, text: string): void {
      count++;
      const list = byRow.get(row) ?? [];
      list.push(text.replace(/\s*\n\s*/g, ' '));
      byRow.set(row, list);
    },
    get count(): number {
      return count;
    },
    get rows(): number {
      return byRow.size;
    },
    text(): string {
      const lines: string[] = [];
      let length = 0;
      let shown = 0;
      for (const [row, list] of [...byRow.entries()].sort((a, b) => a[0] - b[0])) {
        for (const p of list) {
          const line = `- ${label}[${row}]: ${p}`;
          if (length + line.length > MAX_TEXT) {
            lines.push(`- ... and ${count - shown} more problems (fix these first; the same kind of fix usually applies).`);
            return lines.join('\n');
          }
          lines.push(line);
          length += line.length + 1;
          shown++;
        }
      }
      return lines.join('\n');
    },
  };
}
