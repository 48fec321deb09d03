import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  LocalGovernmentTable,
  parseLocalGovernmentCsv,
} from '../domain/local-government/local-government-table.ts';

/** The package's `data/` folder (works from `src/` under tsx and from `dist/` when built). */
export const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));
export const LOCAL_GOVERNMENT_CSV = `${DATA_DIR}local-government-codes.csv`;

let cached: LocalGovernmentTable | undefined;

/** The 全国地方公共団体コード table shipped in `data/` (read once per process). */
export function loadLocalGovernmentTable(): LocalGovernmentTable {
  cached ??= LocalGovernmentTable.fromRows(
    parseLocalGovernmentCsv(readFileSync(LOCAL_GOVERNMENT_CSV, 'utf8')),
  );
  return cached;
}
