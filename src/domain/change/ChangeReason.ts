/**
 * The ten change reasons (異動事由) of R1, exactly. Code names are the romanised Japanese terms
 * (docs/GLOSSARY.md); the label is the official term for display.
 */
export const CHANGE_REASONS = {
  'move-in': { ja: '転入', kind: 'creates' },
  birth: { ja: '出生', kind: 'creates' },
  'entry-by-authority': { ja: '職権記載等', kind: 'creates' },
  'move-out': { ja: '転出', kind: 'removes' },
  death: { ja: '死亡', kind: 'removes' },
  'deletion-by-authority': { ja: '職権消除等', kind: 'removes' },
  'move-within': { ja: '転居', kind: 'updates' },
  'correction-by-authority': { ja: '職権修正等', kind: 'updates' },
  'code-change-request': { ja: '住民票コードの記載の変更請求', kind: 'recodes' },
  'code-entry-by-authority': { ja: '住民票コードの職権記載等', kind: 'recodes' },
} as const satisfies Record<
  string,
  { ja: string; kind: 'creates' | 'removes' | 'updates' | 'recodes' }
>;

export type ChangeReason = keyof typeof CHANGE_REASONS;
export type ChangeKind = (typeof CHANGE_REASONS)[ChangeReason]['kind'];
export const CHANGE_REASON_LIST = Object.keys(CHANGE_REASONS) as ChangeReason[];

export const isChangeReason = (s: string): s is ChangeReason => Object.hasOwn(CHANGE_REASONS, s);
export const changeKind = (r: ChangeReason): ChangeKind => CHANGE_REASONS[r].kind;
export const changeReasonLabel = (r: ChangeReason): string => CHANGE_REASONS[r].ja;
