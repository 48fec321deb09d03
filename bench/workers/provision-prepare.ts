/**
 * Readies the national store of the provision benchmark once it is loaded: seeds the register
 * (one agency, its affair, its agreement) through the ProvisionStore port, and chooses the
 * queries the clients send, written to `queries` as a QuerySet:
 *
 * - resident codes of people drawn at random (any status: a code lookup finds the removed too);
 * - name + date-of-birth prefix searches: a resident drawn at random gives the first character
 *   of their name and their whole date of birth; kept only when the search (the store's own,
 *   through planSearch) finds at most `maxPrefixMatches` people — a query that names few.
 */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { planSearch, SEARCH_FETCH_LIMIT } from '../../src/domain/provision/search-rules.ts';
import { loadLocalGovernmentTable } from '../../src/reference-data/local-governments.ts';
import { openIdentityStore, openProvisionStore } from '../../src/storage/open-store.ts';
import { workerMain } from '../harness.ts';
import { searchQuery, seedRegistry, type QuerySet } from '../provision-network.ts';

type Args = {
  target: string;
  queries: string;
  codes: number;
  prefixQueries: number;
  maxPrefixMatches: number;
  seed: number;
};

await workerMain(async (a: Args) => {
  const provision = await openProvisionStore(`sqlite:${a.target}`);
  await seedRegistry(provision);
  await provision.close();

  let s = a.seed >>> 0 || 1;
  const next = (): number => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
  const db = new Database(a.target, { readonly: true });
  const [min, max] = db
    .prepare('SELECT min(person_id), max(person_id) FROM identity')
    .raw()
    .get() as [number, number];
  const byId = db
    .prepare<[number], [string, string, string, string]>(
      'SELECT resident_code, name_kanji, birth_date, status FROM identity WHERE person_id = ?',
    )
    .raw(true);
  const draw = (): [string, string, string, string] => {
    for (;;) {
      const row = byId.get(min + Math.floor(next() * (max - min + 1)));
      if (row) return row;
    }
  };
  const codes: string[] = [];
  for (let i = 0; i < a.codes; i++) codes.push(draw()[0]);

  const store = await openIdentityStore(`sqlite:${a.target}`);
  const table = loadLocalGovernmentTable();
  const prefix: { name: string; birthDate: string }[] = [];
  const histogram: Record<number, number> = {};
  let tried = 0;
  while (prefix.length < a.prefixQueries) {
    if (++tried > a.prefixQueries * 50) throw new Error('too few prefix queries match few people');
    const [, name, birthDate, status] = draw();
    if (status !== 'resident') continue; // the name forms find residents only
    const candidate = { name: [...name][0]!, birthDate };
    const plan = planSearch(searchQuery({ codes, prefix: [candidate] }, 'prefix', 0), {
      channel: 'immediate',
      table,
    });
    if (!('form' in plan)) throw new Error(`prefix query refused: ${plan.reason}`);
    const found = (await store.searchIdentities(plan, SEARCH_FETCH_LIMIT)).length;
    if (found > a.maxPrefixMatches) continue;
    histogram[found] = (histogram[found] ?? 0) + 1;
    prefix.push(candidate);
  }
  await store.close();
  db.close();
  const set: QuerySet = { codes, prefix };
  writeFileSync(a.queries, JSON.stringify(set));
  const persons = Object.entries(histogram).reduce((n, [k, v]) => n + Number(k) * v, 0);
  return {
    codes: codes.length,
    prefixQueries: prefix.length,
    prefixDrawn: tried,
    /** People found per prefix query: how many queries found 1, 2, … */
    prefixMatches: histogram,
    prefixMeanMatches: Math.round((persons / prefix.length) * 100) / 100,
  };
});
