import { DEFAULT_WIDE_AREA_LIMITS } from '../domain/wide-area/wide-area-copy.ts';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import {
  OFFICE_HOURS,
  RULE_IDS,
  isRuleId,
  thresholdsFrom,
  type OfficeHours,
  type Thresholds,
} from '../domain/audit/analysis.ts';
import { RegistryError } from '../domain/errors.ts';
import { NODE_ROLES, prefectureOfCs, type NodeRef } from '../domain/network/NodeRef.ts';
import { NATIONAL_SERVER_CODE } from '../pki/NodeIdentity.ts';
import { parseStoreUrl } from '../storage/store-url.ts';
import { webOriginProblem } from '../web-terminal/web-tls.ts';
import { DEFAULT_DELIVERY, type DeliverySettings } from './upstream-sender.ts';

/**
 * The configuration of one node process (`juki node start --config FILE`, docs/OPERATIONS.md).
 * JSON, validated at start with zod; every problem is reported with its path, all at once.
 * Relative paths are resolved against the file's own directory, so a network directory written
 * by `juki network init` can be moved as a whole.
 */
const nodeRef = z.object({ role: z.enum(NODE_ROLES), code: z.string().min(1).max(32) });
const endpoint = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65_535),
});

export const NODE_CONFIG_SCHEMA = z
  .object({
    node: nodeRef,
    /** The identity store: sqlite:PATH (default kind) or postgres://… */
    store: z.string().min(1),
    /** PostgreSQL only: this node's schema in a shared database (several nodes, one server). */
    storeSchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .optional(),
    /** The node's certificate bundle, as `juki pki issue` wrote it (node.crt, node.key, ca.crt, crl.pem). */
    tls: z.object({ bundle: z.string().min(1) }),
    /**
     * Network side (mutual TLS, our protocol): prefecture, national and switch servers listen; a
     * CS listens only for the switch (routes from other CS, R2).
     */
    listen: endpoint.optional(),
    /** Terminal side (HTTP on a management LAN): health and operator actions. */
    terminal: endpoint.optional(),
    /**
     * The web terminal (LAN side, never the network side): operators log in with WebAuthn (R15)
     * and act within their card type's rights (R31); every act is in the access log (R23).
     * `rpId` is the host name operators type (WebAuthn over plain HTTP works only on localhost);
     * `origin` the URL they open, e.g. http://localhost:28100, or https://… with `tls`: the PEM
     * certificate and key (0600) of the host name (docs/WEB-TERMINAL.md "HTTPS on a LAN").
     */
    webTerminal: endpoint
      .extend({
        rpId: z.string().min(1).max(253),
        origin: z.url().max(300),
        tls: z
          .object({ cert: z.string().min(1), key: z.string().min(1) })
          .strict()
          .optional(),
      })
      .optional(),
    /** The next node up: a CS's prefecture server, a prefecture's national server. */
    upstream: endpoint.extend({ node: nodeRef }).optional(),
    /** A CS: its municipality's existing register (既存住基), whose changes feed the CS. */
    register: z.string().min(1).optional(),
    /** PostgreSQL only: the register's own schema (it is a separate system with its own tables). */
    registerSchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .optional(),
    /**
     * National and prefecture servers: the secret of the per-recipient pseudonyms (R7;
     * docs/PROVISION.md), a file of mode 0600 that `juki network init` writes.
     */
    pseudonymSecret: z.string().min(1).optional(),
    /**
     * National and prefecture servers: the directory where media (USB etc.) are mounted on this
     * node's machine. The web terminal's 媒体による提供 (R22) reads rows from and writes result
     * files to this directory only, by file name (docs/PROVISION.md "Media provision").
     */
    mediaDir: z.string().min(1).optional(),
    /**
     * A CS: the switch (専用交換装置, R2) through which it reaches other CS (`juki node
     * route-check`). A CS that has it also needs `listen`: the switch reaches it there, the only
     * node the allow-list lets connect to a CS (docs/NETWORK.md "The switch").
     */
    switch: endpoint.extend({ node: nodeRef }).optional(),
    /** The switch: where each CS it may reach listens. */
    directory: z.record(z.string(), endpoint).optional(),
    /**
     * A CS: the fraud prevention of 広域交付 (R18; docs/WIDE-AREA.md): more than `maxRequests`
     * requests within `windowMinutes` from one operator card of another municipality suspend
     * that card's requests here for `suspendMinutes`.
     */
    wideArea: z
      .object({
        maxRequests: z.number().int().min(1).optional(),
        windowMinutes: z.number().positive().optional(),
        suspendMinutes: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    delivery: z
      .object({
        batchSize: z.number().int().min(1).max(1024).optional(),
        pollMs: z.number().int().min(10).optional(),
        retryInitialMs: z.number().int().min(1).optional(),
        retryMaxMs: z.number().int().min(1).optional(),
      })
      .optional(),
    schedule: z
      .object({
        /** Integrity check against the upstream node, every N minutes (0: only on demand). */
        integrityMinutes: z.number().min(0).optional(),
        /** Retention erasure, every N minutes (0: only on demand). */
        retentionMinutes: z.number().min(0).optional(),
        /** 報告要求 (R5, R6): send what waits and fetch the mailbox every N seconds (0: only on demand). */
        reportPollSeconds: z.number().min(0).optional(),
        /** A CS fetches refusals from further up (R19) from its prefecture server, every N seconds. */
        rejectionPollSeconds: z.number().min(0).optional(),
        /** A prefecture server fetches the national disclosure records (R17), every N minutes. */
        disclosureSyncMinutes: z.number().min(0).optional(),
        /** Access-log analysis (R16) at a prefecture or national server, every N minutes. */
        analysisMinutes: z.number().min(0).optional(),
        /** Access-log seals not yet anchored at the upstream node (R23) are sent every N seconds. */
        anchorSeconds: z.number().min(0).optional(),
      })
      .optional(),
    /** Access-log analysis (R16) at a prefecture or national server: this node's rule settings. */
    analysis: z
      .object({
        /** `rule: N`: a finding when a window counts more than N (docs/AUDIT.md). */
        thresholds: z
          .record(z.string().refine(isRuleId), z.number().int().min(0), {
            error: (issue) =>
              issue.code === 'invalid_key'
                ? `unknown analysis rule; the rules are ${RULE_IDS.join(', ')}`
                : undefined,
          })
          .optional(),
        /** Office hours of rule `off-hours`, JST, [fromHour, toHour), Monday to Friday. */
        officeHours: z
          .object({
            fromHour: z.number().int().min(0).max(23),
            toHour: z.number().int().min(1).max(24),
          })
          .strict()
          .refine((h) => h.fromHour < h.toHour, 'fromHour must be before toHour')
          .optional(),
        /** Whether a Japanese public holiday is off-hours all day for `off-hours` (default true). */
        holidays: z.boolean().optional(),
      })
      .strict()
      .optional(),
    log: z.object({ level: z.enum(['debug', 'info', 'warn', 'error']).optional() }).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const need = (path: string, why: string): void =>
      ctx.addIssue({ code: 'custom', path: [path], message: why });
    const { role, code } = c.node;
    if (role === 'cs' && !/^\d{6}$/.test(code)) need('node', 'a CS code is a 6-digit 団体コード');
    if (role === 'prefecture' && !/^\d{2}$/.test(code))
      need('node', 'a prefecture code is 2 digits');
    if (role === 'national' && code !== NATIONAL_SERVER_CODE)
      need('node', `the national server's code is ${NATIONAL_SERVER_CODE}`);
    if (role !== 'cs' && role !== 'agency' && !c.listen)
      need('listen', `a ${role} server needs a network-side listener`);
    const upstream = c.upstream?.node;
    if (role === 'cs') {
      if (!upstream) need('upstream', 'a CS sends its changes to its prefecture server');
      else if (upstream.role !== 'prefecture' || upstream.code !== prefectureOfCs(c.node))
        need(
          'upstream',
          `a CS's upstream is its own prefecture server prefecture:${code.slice(0, 2)}`,
        );
      if (!c.register) need('register', 'a CS is fed by its municipality’s register');
    } else if (role === 'prefecture') {
      if (upstream?.role !== 'national')
        need('upstream', 'a prefecture server forwards to the national server');
    } else if (role === 'agency') {
      if (upstream?.role !== 'national')
        need('upstream', 'an agency server asks the national server (R13)');
    } else if (upstream !== undefined) {
      need('upstream', `a ${role} server has no upstream`);
    }
    if (c.register !== undefined && role !== 'cs') need('register', 'only a CS has a register');
    if ((role === 'national' || role === 'prefecture') && c.pseudonymSecret === undefined)
      need(
        'pseudonymSecret',
        `a ${role} server provides identity information: it needs its pseudonym secret`,
      );
    if (c.switch !== undefined) {
      if (role !== 'cs') need('switch', 'only a CS routes through the switch');
      else if (c.switch.node.role !== 'switch')
        need('switch', 'the switch endpoint names a switch node (switch:main)');
      if (!c.listen) need('listen', 'a CS that routes through the switch listens for it');
    }
    if (c.directory !== undefined && role !== 'switch')
      need('directory', 'only the switch has a directory');
    if (c.webTerminal !== undefined) {
      const w = c.webTerminal;
      const problem = webOriginProblem(w.rpId, w.origin, w.tls !== undefined);
      if (problem !== undefined)
        ctx.addIssue({ code: 'custom', path: ['webTerminal', 'origin'], message: problem });
    }
    if (c.analysis !== undefined && role !== 'prefecture' && role !== 'national')
      need('analysis', 'only prefecture and national servers analyse their access log (R16)');
    for (const [path, url] of [
      ['store', c.store],
      ['register', c.register],
    ] as const) {
      if (url === undefined) continue;
      try {
        parseStoreUrl(url);
      } catch (e) {
        need(path, (e as Error).message);
      }
    }
  });

export type NodeConfigFile = z.infer<typeof NODE_CONFIG_SCHEMA>;

/** The validated configuration, with paths resolved and defaults filled in. */
export type NodeConfig = {
  readonly node: NodeRef;
  readonly store: string;
  readonly storeSchema: string | undefined;
  readonly bundleDir: string;
  readonly listen: { readonly host: string; readonly port: number } | undefined;
  readonly terminal: { readonly host: string; readonly port: number } | undefined;
  readonly webTerminal?:
    | {
        readonly host: string;
        readonly port: number;
        readonly rpId: string;
        readonly origin: string;
        /** HTTPS: the PEM files (absolute paths), checked at start (web-tls.ts `loadWebTls`). */
        readonly tls?: { readonly cert: string; readonly key: string } | undefined;
      }
    | undefined;
  readonly upstream:
    { readonly node: NodeRef; readonly host: string; readonly port: number } | undefined;
  readonly register: string | undefined;
  readonly registerSchema: string | undefined;
  /** A CS: the switch it reaches other CS through (R2); absent in a config built in code. */
  readonly switch?:
    { readonly node: NodeRef; readonly host: string; readonly port: number } | undefined;
  readonly directory: ReadonlyMap<string, { readonly host: string; readonly port: number }>;
  /** A CS: 広域交付's throttle (R24), in ms (absent in a config built in code: the defaults). */
  readonly wideArea?:
    | { readonly maxRequests: number; readonly windowMs: number; readonly suspendMs: number }
    | undefined;
  readonly pseudonymSecret: string | undefined;
  /** Config `mediaDir` (absolute), when set: the web terminal's media files (R22). */
  readonly mediaDir?: string | undefined;
  readonly delivery: DeliverySettings;
  readonly schedule: {
    readonly integrityMinutes: number;
    readonly retentionMinutes: number;
    /** 報告要求 (R5, R6) sync (default 30; absent in a config built in code: off). */
    readonly reportPollSeconds?: number;
    /** R19 refusals further up, at a CS (default 30; absent in a config built in code: off). */
    readonly rejectionPollSeconds?: number;
    /** R17 at a prefecture server (default 10; absent in a config built in code: off). */
    readonly disclosureSyncMinutes?: number;
    /** R16 at a prefecture or national server (default 60; absent in a config built in code: off). */
    readonly analysisMinutes?: number;
    /** R23 seal anchoring retries (default 60; absent in a config built in code: off). */
    readonly anchorSeconds?: number;
  };
  /**
   * R16 at a prefecture or national server (config `analysis`): the thresholds, defaults with the
   * node's overrides, and the office hours of `off-hours` (absent in a config built in code: the
   * defaults).
   */
  readonly analysis?: {
    readonly thresholds: Thresholds;
    readonly officeHours: OfficeHours;
    /** Public holidays count as off-hours (config `analysis.holidays`, default true). */
    readonly holidays: boolean;
  };
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
};

/** Reads and validates a config file; RegistryError('invalid', …, 'config.invalid') lists every problem. */
export async function loadNodeConfig(path: string): Promise<NodeConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new RegistryError(
      'not-found',
      `設定ファイルを読めません / cannot read node config ${path}: ${(e as Error).message}`,
      'config.unreadable',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RegistryError(
      'invalid',
      `設定ファイルが JSON ではありません / node config ${path} is not JSON: ${(e as Error).message}`,
      'config.not-json',
    );
  }
  return parseNodeConfig(json, dirname(resolve(path)), path);
}

export function parseNodeConfig(json: unknown, baseDir: string, source = 'config'): NodeConfig {
  const parsed = NODE_CONFIG_SCHEMA.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `  - ${i.path.join('.') || '(top)'}: ${i.message}`)
      .join('\n');
    throw new RegistryError(
      'invalid',
      `設定に誤りがあります / node config ${source} is invalid:\n${problems}`,
      'config.invalid',
    );
  }
  const c = parsed.data;
  const path = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const storeUrl = (url: string): string => {
    const loc = parseStoreUrl(url);
    return loc.kind === 'sqlite' && loc.path !== ':memory:' ? `sqlite:${path(loc.path)}` : url;
  };
  const d = c.delivery ?? {};
  return {
    node: c.node,
    store: storeUrl(c.store),
    storeSchema: c.storeSchema,
    bundleDir: path(c.tls.bundle),
    listen: c.listen,
    terminal: c.terminal,
    webTerminal: c.webTerminal && {
      ...c.webTerminal,
      tls: c.webTerminal.tls && {
        cert: path(c.webTerminal.tls.cert),
        key: path(c.webTerminal.tls.key),
      },
    },
    upstream: c.upstream,
    register: c.register === undefined ? undefined : storeUrl(c.register),
    registerSchema: c.registerSchema,
    switch: c.switch,
    directory: new Map(Object.entries(c.directory ?? {})),
    wideArea: {
      maxRequests: c.wideArea?.maxRequests ?? DEFAULT_WIDE_AREA_LIMITS.maxRequests,
      windowMs: (c.wideArea?.windowMinutes ?? DEFAULT_WIDE_AREA_LIMITS.windowMs / 60_000) * 60_000,
      suspendMs:
        (c.wideArea?.suspendMinutes ?? DEFAULT_WIDE_AREA_LIMITS.suspendMs / 60_000) * 60_000,
    },
    pseudonymSecret: c.pseudonymSecret === undefined ? undefined : path(c.pseudonymSecret),
    mediaDir: c.mediaDir === undefined ? undefined : path(c.mediaDir),
    delivery: {
      batchSize: d.batchSize ?? DEFAULT_DELIVERY.batchSize,
      pollMs: d.pollMs ?? DEFAULT_DELIVERY.pollMs,
      retry: {
        initialMs: d.retryInitialMs ?? DEFAULT_DELIVERY.retry.initialMs,
        maxMs: d.retryMaxMs ?? DEFAULT_DELIVERY.retry.maxMs,
      },
    },
    schedule: {
      integrityMinutes: c.schedule?.integrityMinutes ?? 24 * 60,
      retentionMinutes: c.schedule?.retentionMinutes ?? 24 * 60,
      reportPollSeconds: c.schedule?.reportPollSeconds ?? 30,
      rejectionPollSeconds: c.schedule?.rejectionPollSeconds ?? 30,
      disclosureSyncMinutes: c.schedule?.disclosureSyncMinutes ?? 10,
      analysisMinutes: c.schedule?.analysisMinutes ?? 60,
      anchorSeconds: c.schedule?.anchorSeconds ?? 60,
    },
    analysis: {
      thresholds: thresholdsFrom(c.analysis?.thresholds ?? {}),
      officeHours: c.analysis?.officeHours ?? OFFICE_HOURS,
      holidays: c.analysis?.holidays ?? true,
    },
    logLevel: c.log?.level ?? 'info',
  };
}
