/**
 * One versioned schema change, in both dialects. Rules (docs/STORAGE.md): versions start at 1 and
 * increase by one; a released migration is never edited, only followed by a new one; each runs in
 * one transaction together with its row in `schema_migrations`.
 */
export type Migration = {
  readonly version: number;
  /** kebab-case, recorded in `schema_migrations` and checked on every open. */
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
};
