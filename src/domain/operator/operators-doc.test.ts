import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cardTypesMarkdown, permissionTableMarkdown } from './permissions.ts';

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

const between = (doc: string, name: string): string => {
  const begin = doc.indexOf(`<!-- ${name}:begin`);
  const end = doc.indexOf(`<!-- ${name}:end -->`);
  expect(begin, `docs/OPERATORS.md has the ${name} markers`).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(begin);
  return doc.slice(begin, end);
};

describe('docs/OPERATORS.md', () => {
  const doc = readFileSync(new URL('../../../docs/OPERATORS.md', import.meta.url), 'utf8');

  it('R15, R31: shows the card types exactly as the code has them', () => {
    expect(cells(between(doc, 'card-types'))).toEqual(cells(cardTypesMarkdown()));
  });

  it('R15, R31: shows the rights table exactly as the code has it', () => {
    expect(cells(between(doc, 'permissions'))).toEqual(cells(permissionTableMarkdown()));
  });
});
