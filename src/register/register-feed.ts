import type { ChangeEvent } from '../domain/change/ChangeEvent.ts';
import type { Rejection } from '../domain/change/validate-change.ts';

/*
 * The existing register's feed toward its municipality's CS (R19: existing register → CS →
 * prefecture → national, no human in the loop). The register appends a change in the same
 * transaction as the 住民票 it changed; the node runtime pumps pendingFeed → CS store →
 * settleFeed. A refusal by the CS or by a server further up comes back as a rejection the
 * municipality's staff see (差戻し): nothing is dropped silently.
 */

export type FeedEntry = { readonly id: number; readonly event: ChangeEvent };

export type FeedOutcome = 'accepted' | 'duplicate' | { readonly rejected: Rejection };

/** A change that was refused, for the municipality's staff. */
export type FeedRejection = {
  readonly id: number;
  readonly transactionId: string;
  /** `cs` (the municipality's own CS, R19 format checks) or the upstream node, e.g. `prefecture:13`. */
  readonly rejectedBy: string;
  readonly rejection: Rejection;
  /** The refused change, when this register's feed holds it. */
  readonly event: ChangeEvent | undefined;
  /** When the register learned of the refusal (ISO 8601, UTC). */
  readonly recordedAt: string;
};

/** `rejectedBy` of a refusal reported through settleFeed. */
export const REJECTED_BY_CS = 'cs';

/** Which level of the network refused a change: the CS, the prefecture or the national server. */
export type RejectionLevel = 'cs' | 'prefecture' | 'national';

/** The level of `rejectedBy` (`cs`, `prefecture:13`, `national:jlis`). */
export const rejectionLevel = (rejectedBy: string): RejectionLevel =>
  rejectedBy.startsWith('national:')
    ? 'national'
    : rejectedBy.startsWith('prefecture:')
      ? 'prefecture'
      : 'cs';

/** The level as the municipality's staff read it. */
export const REJECTION_LEVEL_LABELS: Readonly<Record<RejectionLevel, string>> = {
  cs: '市町村CS / the CS',
  prefecture: '都道府県サーバ / the prefecture server',
  national: '全国サーバ / the national server',
};

export interface RegisterFeed {
  /** Changes not yet settled, oldest first. */
  pendingFeed(limit: number): Promise<FeedEntry[]>;
  /** The CS took (or refused, R19 format checks) these entries; refused ones become visible rejections. */
  settleFeed(
    settled: readonly { readonly id: number; readonly outcome: FeedOutcome }[],
  ): Promise<void>;
  /** A server further up (prefecture/national, named e.g. 'prefecture:13') rejected a change this register made. Idempotent on transactionId. */
  recordUpstreamRejection(
    transactionId: string,
    rejectedBy: string,
    rejection: Rejection,
  ): Promise<void>;
  /** Rejections for the municipality's staff (差戻し), newest first. */
  listRejections(limit: number): Promise<FeedRejection[]>;
}

/** One change of a real register's export, with the line it came from (for messages). */
export type FeedAppend = { readonly line: number; readonly event: ChangeEvent };

/** What an import appended: changes new to the feed, and lines whose transaction id it held. */
export type AppendReport = { readonly appended: number; readonly duplicates: number };

/**
 * Appending changes made elsewhere (a real register's export) to the feed. All or nothing, in
 * the given order; idempotent on transactionId: a change already in the feed is a duplicate, but
 * the same transaction id with other content is refused (RegistryError('conflict',
 * 'feed.transaction-id-reused'), naming the line) and nothing is appended.
 */
export interface FeedAppender {
  appendChanges(changes: readonly FeedAppend[]): Promise<AppendReport>;
}
