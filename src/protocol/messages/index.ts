export type { MessageBody } from './BodyReader.ts';
export { BodyReader } from './BodyReader.ts';
export { ChangeAck } from './ChangeAck.ts';
export { ChangeNotice, changeNotice, readChangeEvent, readIdentityInfo } from './ChangeNotice.ts';
export { MessageCodec } from './codec.ts';
export type { MessageDefinition, MessageRole } from './define-message.ts';
export { defineMessage, IDEMPOTENCY_KEY } from './define-message.ts';
export { ErrorMessage } from './ErrorMessage.ts';
export { Goaway } from './Goaway.ts';
export { Hello, MAX_CREDIT } from './Hello.ts';
export * from './integrity-messages.ts';
export type { NodeName } from './NodeName.ts';
export { isNodeName, NODE_NAME_RULE } from './NodeName.ts';
export type {
  Message,
  MessageKind,
  MessageOf,
  ReplyKindOf,
  ReplyOf,
  RequestKind,
  RequestMessage,
} from './registry.ts';
export {
  findMessageDefinition,
  isMessageKind,
  MESSAGE_DEFINITIONS,
  messageAllowedAs,
  replyKindOf,
} from './registry.ts';
export { ProvisionAnswer, ProvisionQuery } from './ProvisionQuery.ts';
export { DisclosureRecords, DisclosureSync } from './DisclosureSync.ts';
export { RejectionPoll, RejectionRecords } from './RejectionPoll.ts';
export { AuditAnchorAck, AuditSealAnchor } from './AuditSealAnchor.ts';
export { RouteAccepted } from './RouteAccepted.ts';
export { routeEcho, RouteEcho, RouteEchoReply } from './RouteEcho.ts';
export {
  MAX_WIDE_AREA_PERSONS,
  wideAreaCopy,
  WideAreaCopyAnswer,
  WideAreaCopyRequest,
} from './WideAreaCopy.ts';
export {
  moveOutCertificate,
  MoveOutCertificateAnswer,
  MoveOutCertificateRequest,
} from './MoveOutCertificate.ts';
export { routeRequest, RouteRequest } from './RouteRequest.ts';
