// The resident's disclosure report (R17): model (JSON), HTML and PDF. docs/DISCLOSURE.md.
export type {
  ChannelCounts,
  DisclosureChannel,
  DisclosureLine,
  DisclosureLineView,
  DisclosurePeriod,
  DisclosureReport,
  DisclosureReportModel,
  JapanTime,
  RecipientSummary,
} from './model.ts';
export {
  CHANNEL_LABEL,
  DISCLOSURE_CHANNELS,
  disclosureReportModel,
  japanTime,
  parseInstant,
} from './model.ts';
export {
  DISCLOSURE_TITLE,
  MISSING_TEXT,
  NO_RECORDS_TEXT,
  escapeHtml,
  renderDisclosureHtml,
  renderDisclosureModelHtml,
} from './html.ts';
export type { PdfOptions } from './pdf.ts';
export { DEFAULT_CHROMIUM, chromiumPath, renderPdf } from './pdf.ts';
export type { DisclosureRecord, LineLookups } from './from-log.ts';
export { disclosureLineOf, nodeLabel } from './from-log.ts';
