import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { generatePopulation } from './generate-population.ts';
import {
  populationHeader,
  serializePopulationHeader,
  serializePopulationRow,
} from './population-file.ts';
import type { GeneratePopulationOptions } from './PopulationRow.ts';

/** Rows between two progress calls. */
export const PROGRESS_EVERY = 10_000;
/** Rows joined into one chunk (one write() to the file stream). */
const ROWS_PER_CHUNK = 500;

/**
 * Generates a population and streams it to `path` (created or truncated) as a population file
 * (population-file.ts): the header line, then one line per resident.
 *
 * Back-pressure: the rows are pulled through `stream.pipeline` from a lazy generator into
 * `fs.createWriteStream`; the pipeline stops pulling whenever the file stream's write() returns
 * false and resumes on 'drain', so memory stays flat for any number of rows. Errors on either
 * side destroy both and reject.
 * `onProgress(done, total)` is called every PROGRESS_EVERY rows and once at the end.
 * Options are checked before the file is opened. On a failure the partly written file is left
 * as it is (its header announces more rows than it holds, which a loader can see).
 */
export async function writePopulationFile(
  path: string,
  options: GeneratePopulationOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<{ rows: number; bytes: number }> {
  const rows = generatePopulation(options);
  let done = 0;
  let bytes = 0;
  function* chunks(): Generator<string> {
    const header = `${serializePopulationHeader(populationHeader(options))}\n`;
    bytes += Buffer.byteLength(header, 'utf8');
    yield header;
    let chunk = '';
    let inChunk = 0;
    for (const row of rows) {
      chunk += `${serializePopulationRow(row)}\n`;
      done++;
      if (done % PROGRESS_EVERY === 0) onProgress?.(done, options.residents);
      if (++inChunk === ROWS_PER_CHUNK) {
        bytes += Buffer.byteLength(chunk, 'utf8');
        yield chunk;
        chunk = '';
        inChunk = 0;
      }
    }
    if (chunk !== '') {
      bytes += Buffer.byteLength(chunk, 'utf8');
      yield chunk;
    }
  }
  await pipeline(Readable.from(chunks(), { objectMode: false }), createWriteStream(path));
  onProgress?.(done, options.residents);
  return { rows: done, bytes };
}
