import { describe, expect, it } from 'vitest';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { ProvisionRegistry, authorizeProvision } from '../domain/provision/authorize.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import { openProvisionStore } from '../storage/open-store.ts';
import { AGENCY_WITHOUT_AGREEMENT, seedRepresentativeRegister } from './representative-register.ts';

const catalog = loadStatutoryAffairs();
const day = (s: string) => s as CalendarDate;

describe('R3, R5: the representative register of the demo national server', () => {
  it('R3, R5: lawful queries are authorised; another affair, and an agency without agreement, are refused with their reasons', async () => {
    const store = await openProvisionStore('sqlite::memory:');
    await seedRepresentativeRegister(store, catalog, day('2026-04-01'));
    await seedRepresentativeRegister(store, catalog, day('2026-04-01')); // idempotent
    const registry = ProvisionRegistry.of(
      { role: 'national', code: 'jlis' },
      catalog,
      await store.loadRegistry(),
    );
    const ask = (recipientId: string, affairId: string) =>
      authorizeProvision(registry, { recipientId, affairId, on: day('2026-11-24') });
    expect(ask('mhlw-pension', '別表第一:七十七')).toMatchObject({
      ok: true,
      identifier: 'pseudonym',
      legalBasis: '住民基本台帳法第三十条の九・別表第一の七十七の項',
    });
    expect(ask('mofa-passport', '別表第一:四十一')).toMatchObject({ ok: true });
    expect(ask('mhlw-pension', '別表第一:四十一')).toMatchObject({
      reason: 'provision.affair-not-permitted',
    });
    expect(ask(AGENCY_WITHOUT_AGREEMENT, '別表第一:四十四の二')).toMatchObject({
      reason: 'provision.no-agreement',
    });
    expect((await store.loadRegistry()).agreements).toHaveLength(2);
    await store.close();
  });
});
