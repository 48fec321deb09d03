import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rulesMarkdown } from './analysis.ts';

/** A Markdown table's cells, row by row, without the rule row; spacing (prettier's) ignored. */
const cells = (markdown: string): string[][] =>
  markdown
    .split('\n')
    .filter((l) => l.trim().startsWith('|'))
    .map((l) =>
      l
        .trim()
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    )
    .filter((row) => !row.every((c) => /^:?-+:?$/.test(c)));

describe('docs/AUDIT.md', () => {
  it('R16: shows the analysis rules exactly as the code has them', () => {
    const doc = readFileSync(new URL('../../../docs/AUDIT.md', import.meta.url), 'utf8');
    const begin = doc.indexOf('<!-- analysis-rules:begin');
    const end = doc.indexOf('<!-- analysis-rules:end -->');
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(begin);
    expect(cells(doc.slice(begin, end))).toEqual(cells(rulesMarkdown()));
  });
});
