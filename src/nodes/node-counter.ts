import { changeReasonLabel, type ChangeReason } from '../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { withCounterDefaults } from '../domain/register/counter-defaults.ts';
import { changeReasonFromName, parseRegisterOperation } from '../domain/register/form-fields.ts';
import type { ResidentRecord } from '../domain/register/ResidentRecord.ts';
import { parseResidentCode } from '../domain/resident/ResidentCode.ts';
import type { RecordHistoryEntry, RegisterStore } from '../register/RegisterStore.ts';

/*
 * 窓口業務 at a running CS (R1, R15, R23; docs/REGISTER.md "At the running CS"): the ten counter
 * operations of the municipality's register and the 住民票 they change, through the node's
 * terminal side, so that a counter clerk logged in with their card (operator.counter-clerk) does
 * them at the web terminal or with `juki register … --config`, each act in the node's access log
 * under that clerk with the person's resident code. The register is the one the CS's pump reads:
 * a change is taken into the CS store and sent on at once (the pump is woken), not at its next
 * poll.
 */

/** What the terminal side reaches of a CS's register. */
export type NodeCounter = {
  readonly store: RegisterStore;
  readonly today: () => CalendarDate;
  /** Wakes the register pump: the change goes to the CS store and up now. */
  readonly notify: () => void;
};

/** The answer to a counter operation. */
export type CounterAnswer = {
  readonly reason: ChangeReason;
  /** 転入, 出生, … */
  readonly reasonLabel: string;
  readonly transactionId: string;
  /** The transaction id had been performed before: its stored result, nothing changed now. */
  readonly duplicate: boolean;
  /** The feed entry of the change of 本人確認情報 (absent: register items only, nothing leaves). */
  readonly feedId: number | undefined;
  /** The person's 住民票 after the operation. */
  readonly record: ResidentRecord;
  /** Other members' records it changed (a new 世帯主). */
  readonly householdChanges: readonly ResidentRecord[];
};

/** The answer to `POST /register/record`: a 住民票, its household and its versions. */
export type CounterRecord = {
  readonly record: ResidentRecord;
  readonly household: readonly {
    readonly residentCode: string;
    readonly name: ResidentRecord['name'];
    readonly relationship: string;
  }[];
  readonly history: readonly Omit<RecordHistoryEntry, 'record'>[];
};

const TRANSACTION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

function registerOf(self: NodeRef, counter: NodeCounter | undefined): NodeCounter {
  if (counter === undefined)
    throw new RegistryError(
      'invalid',
      `${nodeName(self)} には住民基本台帳がありません / only a CS with its municipality’s register (config "register") does counter work`,
      'node.no-register',
    );
  return counter;
}

/**
 * `POST /register/operation` `{ reason, form, transactionId? }`: one of the ten counter operations
 * (`reason` by code name or Japanese term, `form` as `juki register --form`; left-out dates are
 * today and an entry's household new, as at the CLI). A refused form or rule is a RegistryError
 * naming the field or rule (register.*, the R19 rules), and nothing is stored. A transaction id
 * given again returns what that operation stored and changes nothing.
 */
export async function counterOperation(
  node: { readonly self: NodeRef; readonly counter: NodeCounter | undefined },
  b: Readonly<Record<string, unknown>>,
): Promise<CounterAnswer> {
  const counter = registerOf(node.self, node.counter);
  const reason = changeReasonFromName(b.reason);
  const form = b.form;
  if (typeof form !== 'object' || form === null || Array.isArray(form))
    throw new RegistryError(
      'invalid',
      '届出の内容 (form) が必要です / form must be an object: the operation’s fields',
      'register.form.not-an-object',
    );
  const tx = b.transactionId;
  if (tx !== undefined && (typeof tx !== 'string' || !TRANSACTION_ID.test(tx)))
    throw new RegistryError(
      'invalid',
      '処理番号が不正です / transactionId must be 1–100 letters, digits or ._:- ',
      'register.form.transaction-id',
    );
  const today = counter.today();
  const operation = parseRegisterOperation({
    reason,
    form: withCounterDefaults(reason, form as Record<string, unknown>, today),
  });
  const result = await counter.store.perform(operation, { today, transactionId: tx });
  if (result.event !== undefined && !result.duplicate) counter.notify();
  return {
    reason,
    reasonLabel: changeReasonLabel(reason),
    transactionId: result.transactionId,
    duplicate: result.duplicate,
    feedId: result.feedId,
    record: result.record,
    householdChanges: result.householdChanges,
  };
}

/** The person a counter answer is about, for the access log (a new code is known only here). */
export const counterTarget = (answer: unknown): string | undefined =>
  (answer as { record?: { residentCode?: string } } | undefined)?.record?.residentCode;

/**
 * `POST /register/record` `{ residentCode }`: the 住民票 whose current code it is (a removed one
 * too), the resident members of its household, and its versions (without their contents).
 */
export async function counterRecord(
  node: { readonly self: NodeRef; readonly counter: NodeCounter | undefined },
  b: Readonly<Record<string, unknown>>,
): Promise<CounterRecord> {
  const { store } = registerOf(node.self, node.counter);
  const code = parseResidentCode(typeof b.residentCode === 'string' ? b.residentCode : '');
  const record = await store.getRecord(code);
  if (record === undefined)
    throw new RegistryError(
      'not-found',
      `住民票がありません / no resident record with the code ${code} in this register`,
      'register.no-record',
    );
  const members = record.status === 'resident' ? await store.household(record.householdId) : [];
  const history = await store.history(code);
  return {
    record,
    household: members.map((m) => ({
      residentCode: m.residentCode,
      name: m.name,
      relationship: m.relationship,
    })),
    history: history.map(({ record: _, ...entry }) => entry),
  };
}
