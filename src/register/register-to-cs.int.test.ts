import { describe, expect, it } from 'vitest';
import { buildEvent, buildIdentity } from '../domain/change/change-builders.ts';
import { CHANGE_REASON_LIST } from '../domain/change/ChangeReason.ts';
import type { RegisterOperation } from '../domain/register/operations.ts';
import {
  ADDRESS_B,
  ADDRESS_C,
  MUNICIPALITY,
  TODAY,
  code,
  date,
  moveInForm,
  spouseForm,
} from '../domain/register/register.fixtures.ts';
import { openIdentityStore } from '../storage/open-store.ts';
import { openRegisterStore } from './open-register.ts';
import type { FeedOutcome } from './register-feed.ts';

/**
 * The chain R19 describes, existing register → CS, without the network: every change the ten
 * counter operations produce is taken by a CS store, and a change the CS refuses comes back to
 * the register's staff as a rejection.
 */
describe('register → CS', () => {
  it('R19: the changes of all ten counter operations are accepted by the CS; a refused one becomes a rejection', async () => {
    const register = await openRegisterStore('sqlite::memory:', { municipality: MUNICIPALITY });
    const cs = await openIdentityStore('sqlite::memory:');
    try {
      const d = (day: string) => date(`2024-05-${day}`);
      const perform = (op: RegisterOperation) => register.perform(op, { today: TODAY });
      await perform({ reason: 'move-in', form: moveInForm() });
      await perform({ reason: 'move-in', form: spouseForm('1') });
      const child = (
        await perform({
          reason: 'birth',
          form: {
            parentCode: code(2),
            name: { kanji: '住基 一郎', kana: 'ジュウキ イチロウ' },
            sex: 'male',
            birthDate: d('01'),
            notifiedOn: d('02'),
          },
        })
      ).record.residentCode;
      await perform({
        reason: 'entry-by-authority',
        form: moveInForm({
          residentCode: code(4),
          name: { kanji: '試験 次郎', kana: 'シケン ジロウ' },
          address: ADDRESS_C,
          notifiedOn: undefined,
          previousAddress: undefined,
        }),
      });
      for (const residentCode of [code(1), code(2), child])
        await perform({
          reason: 'move-within',
          form: { residentCode, address: ADDRESS_B, changeDate: d('10'), notifiedOn: d('10') },
        });
      await perform({
        reason: 'correction-by-authority',
        form: {
          residentCode: code(2),
          changeDate: d('11'),
          corrections: { name: { kanji: '住基 華子', kana: 'ジュウキ ハナコ' } },
        },
      });
      const recoded = (
        await perform({
          reason: 'code-change-request',
          form: { residentCode: child, changeDate: d('12'), notifiedOn: d('12') },
        })
      ).record.residentCode;
      const code4 = (
        await perform({
          reason: 'code-entry-by-authority',
          form: { residentCode: code(4), changeDate: d('12') },
        })
      ).record.residentCode;
      await perform({
        reason: 'move-out',
        form: {
          residentCode: code4,
          changeDate: d('20'),
          notifiedOn: d('15'),
          destination: 'アメリカ合衆国',
          overseas: true,
        },
      });
      await perform({
        reason: 'death',
        form: {
          residentCode: code(1),
          changeDate: d('21'),
          notifiedOn: d('22'),
          newHeadCode: code(2),
        },
      });
      await perform({
        reason: 'deletion-by-authority',
        form: { residentCode: recoded, changeDate: d('25') },
      });
      // A change from a real register's export that the CS refuses: 転居 of an unknown person.
      await register.appendChanges([
        {
          line: 1,
          event: buildEvent('move-within', buildIdentity({ residentCode: code(99) }), {
            changeDate: d('26'),
          }),
        },
      ]);

      // The node runtime's pump, in miniature.
      const entries = await register.pendingFeed(100);
      expect(new Set(entries.map((e) => e.event.reason))).toEqual(new Set(CHANGE_REASON_LIST));
      const settled: { id: number; outcome: FeedOutcome }[] = [];
      for (const entry of entries) {
        const outcome = await cs.applyChange(entry.event, { today: TODAY });
        settled.push({
          id: entry.id,
          outcome:
            outcome.status === 'applied'
              ? 'accepted'
              : outcome.status === 'duplicate'
                ? 'duplicate'
                : { rejected: outcome.rejection },
        });
      }
      await register.settleFeed(settled);
      expect(settled.map((s) => s.outcome)).toEqual([
        ...entries.slice(0, -1).map(() => 'accepted'),
        { rejected: expect.objectContaining({ rule: 'record.unknown' }) as unknown },
      ]);
      expect(await register.pendingFeed(100)).toEqual([]);
      const [rejection] = await register.listRejections(10);
      expect(rejection).toMatchObject({ rejectedBy: 'cs', rejection: { rule: 'record.unknown' } });

      // The CS holds 本人確認情報 only, the same items the register holds for them.
      const spouse = (await register.getRecord(code(2)))!;
      const held = await cs.getIdentity(code(2));
      expect(held).toMatchObject({ name: spouse.name, address: ADDRESS_B, status: 'resident' });
      expect(held).not.toHaveProperty('relationship');
      expect(held).not.toHaveProperty('registeredDomicile');
      expect((await cs.getIdentity(code(1))).status).toBe('removed');
      expect(await cs.findIdentity(recoded)).toMatchObject({ status: 'removed' });
    } finally {
      await register.close();
      await cs.close();
    }
  });
});
