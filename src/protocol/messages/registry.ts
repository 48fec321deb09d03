import { ChangeAck } from './ChangeAck.ts';
import { ChangeNotice } from './ChangeNotice.ts';
import type { MessageDefinition, MessageRole } from './define-message.ts';
import { ErrorMessage } from './ErrorMessage.ts';
import { Goaway } from './Goaway.ts';
import { Hello } from './Hello.ts';
import { ProvisionBatch, ProvisionBatchAnswer } from './ProvisionBatch.ts';
import { ProvisionAnswer, ProvisionQuery } from './ProvisionQuery.ts';
import { DisclosureRecords, DisclosureSync } from './DisclosureSync.ts';
import { RejectionPoll, RejectionRecords } from './RejectionPoll.ts';
import { AuditAnchorAck, AuditSealAnchor } from './AuditSealAnchor.ts';
import { ReportAnswerMessage } from './ReportAnswerMessage.ts';
import { ReportMail, ReportPoll } from './ReportPoll.ts';
import { ReportAck, ReportRequestMessage } from './ReportRequestMessage.ts';
import { IntegrityAccept } from './IntegrityAccept.ts';
import { IntegrityConclude } from './IntegrityConclude.ts';
import { IntegrityDescend } from './IntegrityDescend.ts';
import { IntegrityDifferences } from './IntegrityDifferences.ts';
import { IntegrityEntries } from './IntegrityEntries.ts';
import { IntegrityNodes } from './IntegrityNodes.ts';
import { IntegrityOffer } from './IntegrityOffer.ts';
import { IntegrityRepair } from './IntegrityRepair.ts';
import { IntegrityRepaired } from './IntegrityRepaired.ts';
import { IntegrityResult } from './IntegrityResult.ts';
import { RouteAccepted } from './RouteAccepted.ts';
import { RouteEcho, RouteEchoReply } from './RouteEcho.ts';
import { RouteRequest } from './RouteRequest.ts';
import { WideAreaCopyAnswer, WideAreaCopyRequest } from './WideAreaCopy.ts';
import { MoveOutCertificateAnswer, MoveOutCertificateRequest } from './MoveOutCertificate.ts';

/**
 * Every message kind of the protocol. To add one: write its file (type + `defineMessage`), add it
 * here, and document it in docs/PROTOCOL.md §5. The types below follow from this list.
 */
export const MESSAGE_DEFINITIONS = [
  Hello,
  ChangeNotice,
  ChangeAck,
  RouteRequest,
  RouteAccepted,
  RouteEcho,
  RouteEchoReply,
  WideAreaCopyRequest,
  WideAreaCopyAnswer,
  MoveOutCertificateRequest,
  MoveOutCertificateAnswer,
  ProvisionQuery,
  ProvisionAnswer,
  ProvisionBatch,
  ProvisionBatchAnswer,
  DisclosureSync,
  DisclosureRecords,
  RejectionPoll,
  RejectionRecords,
  AuditSealAnchor,
  AuditAnchorAck,
  ReportRequestMessage,
  ReportAck,
  ReportAnswerMessage,
  ReportPoll,
  ReportMail,
  IntegrityOffer,
  IntegrityAccept,
  IntegrityDescend,
  IntegrityNodes,
  IntegrityEntries,
  IntegrityDifferences,
  IntegrityConclude,
  IntegrityResult,
  IntegrityRepair,
  IntegrityRepaired,
  ErrorMessage,
  Goaway,
] as const;

type AnyDefinition = (typeof MESSAGE_DEFINITIONS)[number];
type MessageOfDefinition<D> = D extends MessageDefinition<infer T, infer _R> ? T : never;
type RequestKindOfDefinition<D> =
  D extends MessageDefinition<infer T, infer R> ? (R extends string ? T['kind'] : never) : never;

/** Any message (a union on `kind`). */
export type Message = MessageOfDefinition<AnyDefinition>;
export type MessageKind = Message['kind'];
export type MessageOf<K extends MessageKind> = Extract<Message, { readonly kind: K }>;

/** The kinds that may open a call, and the reply each gets. */
export type RequestKind = RequestKindOfDefinition<AnyDefinition>;
export type RequestMessage = MessageOf<RequestKind>;
export type ReplyKindOf<K extends RequestKind> = Extract<
  AnyDefinition,
  { readonly kind: K }
>['reply'];
export type ReplyOf<K extends RequestKind> = MessageOf<Extract<ReplyKindOf<K>, MessageKind>>;

const BY_KIND = new Map<string, MessageDefinition<Message, string | undefined>>(
  MESSAGE_DEFINITIONS.map((d) => [d.kind, d as MessageDefinition<Message, string | undefined>]),
);

export function findMessageDefinition(
  kind: string,
): MessageDefinition<Message, string | undefined> | undefined {
  return BY_KIND.get(kind);
}

export const isMessageKind = (kind: string): kind is MessageKind => BY_KIND.has(kind);

export const messageAllowedAs = (kind: string, role: MessageRole): boolean =>
  BY_KIND.get(kind)?.roles.includes(role) ?? false;

export const replyKindOf = (kind: RequestKind): MessageKind =>
  BY_KIND.get(kind)!.reply as MessageKind;
