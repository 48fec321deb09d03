import { readFileSync } from 'node:fs';
import { AffairCatalog, parseStatutoryAffairsCsv } from '../domain/provision/statutory-affair.ts';
import { DATA_DIR } from './local-governments.ts';

export const STATUTORY_AFFAIRS_CSV = `${DATA_DIR}statutory-affairs.csv`;

let cached: AffairCatalog | undefined;

/**
 * The statutory affairs of 住民基本台帳法 別表第一–第六 shipped in `data/` (689 items as in force
 * from 2026-10-01; see data/statutory-affairs.README.md), read once per process. A prefecture adds
 * its ordinance affairs with `catalog.with(…)`.
 */
export function loadStatutoryAffairs(): AffairCatalog {
  cached ??= AffairCatalog.of(
    parseStatutoryAffairsCsv(readFileSync(STATUTORY_AFFAIRS_CSV, 'utf8')),
  );
  return cached;
}
