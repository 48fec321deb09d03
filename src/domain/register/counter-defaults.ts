import type { ChangeReason } from '../change/ChangeReason.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import { formFields } from './form-fields.ts';
import { NOTIFIED } from './register-rules.ts';

/**
 * What a counter leaves out and means "today" or "the usual": 異動年月日 today, 届出年月日 today
 * for an operation made on a notification, a new household for 転入 and 職権記載等. The same for
 * `juki register` and the terminal's `POST /register/operation`; the form is then checked by the
 * domain as given. Returns a new object; fields the operation does not have are not added.
 */
export function withCounterDefaults(
  reason: ChangeReason,
  form: Readonly<Record<string, unknown>>,
  today: CalendarDate,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...form };
  const fields = new Set(formFields(reason));
  if (fields.has('changeDate') && out.changeDate === undefined) out.changeDate = today;
  if (NOTIFIED.has(reason) && fields.has('notifiedOn') && out.notifiedOn === undefined)
    out.notifiedOn = today;
  if ((reason === 'move-in' || reason === 'entry-by-authority') && out.household === undefined)
    out.household = { kind: 'new' };
  return out;
}
