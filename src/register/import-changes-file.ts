import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ChangeEvent } from '../domain/change/ChangeEvent.ts';
import { isRegistryError, RegistryError } from '../domain/errors.ts';
import { parseChangeEvent } from '../domain/register/parse-change-event.ts';
import type { FeedAppend, FeedAppender } from './register-feed.ts';
import { canonicalJson } from './register-rows.ts';

/*
 * The adapter for a real existing register: such a register exports the changes it accepted as
 * JSON Lines, one ChangeEvent per line (the shape of src/domain/change/ChangeEvent.ts), and this
 * puts them into the feed toward the CS as if jukinet's own counter had made them.
 */

export type ImportRefusal = {
  readonly line: number;
  readonly reason: string;
  readonly message: string;
};

export type ImportReport = {
  /** Lines holding a change (blank lines are skipped). */
  readonly linesRead: number;
  /** Changes new to the feed. */
  readonly appended: number;
  /** Changes whose transaction id the feed already held with the same content. */
  readonly duplicates: number;
  /** Refused lines, at most `MAX_LISTED_REFUSALS` of them; when any, nothing was appended. */
  readonly refused: readonly ImportRefusal[];
  readonly refusedCount: number;
};

export const MAX_LISTED_REFUSALS = 100;

export type ImportOptions = {
  /** The register's 団体コード: a change of another municipality is refused. */
  readonly municipality?: string | undefined;
};

/**
 * Reads `path` (JSON Lines of ChangeEvents, UTF-8) and appends its changes to `feed`, in file
 * order, in one transaction. Every line is checked first (JSON, the change event's formats and
 * codes as the CS checks them, the municipality, a transaction id used twice with other
 * content); if ANY line is refused, nothing is appended and the report lists the refused lines
 * with their numbers — a real register fixes its export and sends it again. Idempotent on
 * transactionId: importing the same file twice appends nothing the second time.
 */
export async function importChangesFile(
  path: string,
  feed: FeedAppender,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const changes: FeedAppend[] = [];
  const refused: ImportRefusal[] = [];
  let refusedCount = 0;
  const seen = new Map<string, string>();
  const refuse = (line: number, reason: string, message: string) => {
    refusedCount += 1;
    if (refused.length < MAX_LISTED_REFUSALS) refused.push({ line, reason, message });
  };
  let lineNumber = 0;
  let linesRead = 0;
  const input = createReadStream(path, { encoding: 'utf8' });
  try {
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber += 1;
      const text = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      linesRead += 1;
      let event: ChangeEvent;
      try {
        event = parseChangeEvent(JSON.parse(text));
      } catch (e) {
        if (e instanceof SyntaxError)
          refuse(lineNumber, 'import.not-json', `JSON ではありません / not JSON: ${e.message}`);
        else if (isRegistryError(e)) refuse(lineNumber, e.reason ?? e.code, e.message);
        else throw e;
        continue;
      }
      if (
        options.municipality !== undefined &&
        event.values.localGovernmentCode !== options.municipality
      ) {
        refuse(
          lineNumber,
          'import.other-municipality',
          `他の団体の異動です / values.localGovernmentCode ${event.values.localGovernmentCode} is not this register's ${options.municipality}`,
        );
        continue;
      }
      const content = canonicalJson(event);
      const earlier = seen.get(event.transactionId);
      if (earlier !== undefined && earlier !== content) {
        refuse(
          lineNumber,
          'feed.transaction-id-reused',
          `トランザクションIDが前の行で別の異動に使われています / transaction id ${JSON.stringify(event.transactionId)} was used by an earlier line with other content`,
        );
        continue;
      }
      seen.set(event.transactionId, content);
      changes.push({ line: lineNumber, event });
    }
  } catch (e) {
    if (isRegistryError(e)) throw e;
    throw new RegistryError(
      'unavailable',
      `ファイルを読めません / cannot read ${JSON.stringify(path)}: ${(e as Error).message}`,
      'import.unreadable',
      { cause: e },
    );
  } finally {
    input.destroy();
  }
  if (refusedCount > 0) return { linesRead, appended: 0, duplicates: 0, refused, refusedCount };
  const { appended, duplicates } = await feed.appendChanges(changes);
  return { linesRead, appended, duplicates, refused, refusedCount };
}
