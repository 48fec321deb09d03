import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePopulation } from './generate-population.ts';
import {
  parsePopulationHeader,
  parsePopulationLine,
  serializePopulationRow,
} from './population-file.ts';
import { municipalityRows, TEST_AS_OF } from './test-fixtures.ts';
import { writePopulationFile } from './write-population-file.ts';

describe('writePopulationFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jukinet-population-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const options = {
    residents: 25_000,
    seed: 'file',
    municipalities: municipalityRows(),
    asOf: TEST_AS_OF,
  };

  it('writes the header and exactly the generated rows, LF-terminated, reporting rows, bytes and progress', async () => {
    const path = join(dir, 'population.jsonl');
    const progress: [number, number][] = [];
    const result = await writePopulationFile(path, options, (done, total) =>
      progress.push([done, total]),
    );
    expect(result.rows).toBe(25_000);
    expect(result.bytes).toBe(statSync(path).size);
    expect(progress).toEqual([
      [10_000, 25_000],
      [20_000, 25_000],
      [25_000, 25_000],
    ]);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe(''); // the file ends with LF
    expect(parsePopulationHeader(lines[0]!)).toMatchObject({
      residents: 25_000,
      seed: 'file',
      asOf: TEST_AS_OF,
    });
    const expected = [...generatePopulation(options)].map(serializePopulationRow);
    expect(lines.slice(1)).toEqual(expected);
    expect(parsePopulationLine(lines[1]!, 2).record.residentCode).toMatch(/^\d{11}$/);
    expect(lines.some((l) => l.includes('\r'))).toBe(false);
  });

  it('writes the same bytes twice for the same options', async () => {
    await writePopulationFile(join(dir, 'a.jsonl'), { ...options, residents: 3000 });
    await writePopulationFile(join(dir, 'b.jsonl'), { ...options, residents: 3000 });
    const [a, b] = [readFileSync(join(dir, 'a.jsonl')), readFileSync(join(dir, 'b.jsonl'))];
    expect(a.length).toBeGreaterThan(1_000_000);
    expect(a.equals(b)).toBe(true);
  });

  it('rejects (does not crash) when the file cannot be written', async () => {
    await expect(
      writePopulationFile(join(dir, 'missing', 'p.jsonl'), options),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('checks the options before creating the file', async () => {
    const path = join(dir, 'never.jsonl');
    await expect(writePopulationFile(path, { ...options, residents: -5 })).rejects.toMatchObject({
      reason: 'population.residents',
    });
    expect(existsSync(path)).toBe(false);
  });
});
