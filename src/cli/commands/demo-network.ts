import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { changeReasonLabel } from '../../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import type { NodeRef } from '../../domain/network/NodeRef.ts';
import { changeNoticeHandler } from '../../nodes/change-notice-handler.ts';
import { PkiDirectory } from '../../pki/pki-directory.ts';
import { changeNotice } from '../../protocol/messages/ChangeNotice.ts';
import { openAlertStore } from '../../storage/open-store.ts';
import type { IdentityStore } from '../../storage/ports.ts';
import { connectNetwork } from '../../transport/connect.ts';
import { listenNetwork } from '../../transport/network-listener.ts';
import type { CommandIO } from '../io.ts';

const TOKYO: NodeRef = { role: 'prefecture', code: '13' };
const CHIYODA: NodeRef = { role: 'cs', code: '131016' };

/**
 * The demo's network part (R9, R10, R11, R19): a CA issues certificates to 千代田区's CS and to
 * 東京都's prefecture server; the prefecture listens on 127.0.0.1 behind the network-side
 * firewall; the CS sends its queued change over mutual TLS 1.3 in our own protocol and gets the
 * prefecture's verdict back; then an HTTP request on the same port is dropped and recorded as an
 * intrusion alert.
 */
export async function runDemoNetwork(options: {
  dir: string;
  cs: IdentityStore;
  prefecture: IdentityStore;
  prefectureUrl: string;
  today: CalendarDate;
  io: CommandIO;
}): Promise<void> {
  const { io } = options;
  const { pki } = await PkiDirectory.init(join(options.dir, 'pki'));
  await pki.issue(TOKYO);
  await pki.issue(CHIYODA);
  io.out(
    `  認証局 (network CA) in ${join(options.dir, 'pki')}: certificates for prefecture:13 and cs:131016`,
  );

  const alerts = await openAlertStore(options.prefectureUrl);
  const listener = await listenNetwork({
    self: TOKYO,
    credentials: await pki.nodeCredentials(TOKYO),
    host: '127.0.0.1',
    port: 0,
    alerts,
    onSession: (session) =>
      session.handle(
        'change-notice',
        changeNoticeHandler(options.prefecture, { today: () => options.today }),
      ),
  });
  try {
    const { host, port } = listener.address;
    io.out(
      `  都道府県サーバ prefecture:13 listening on ${host}:${port} (mutual TLS 1.3, our protocol only)`,
    );

    const session = await connectNetwork({
      self: CHIYODA,
      credentials: await pki.nodeCredentials(CHIYODA),
      expectedPeer: TOKYO,
      host,
      port,
    });
    for (const entry of await options.cs.pendingOutbox(100)) {
      const ack = await session.request(changeNotice(entry.event));
      const verdict =
        ack.outcome === 'rejected'
          ? `rejected [${ack.rejection.rule}]`
          : `${ack.outcome} (#${ack.sequence})`;
      io.out(
        `  cs:131016 → prefecture:13 change-notice ${changeReasonLabel(entry.event.reason)} ${entry.event.residentCode}: ${verdict}`,
      );
      if (ack.outcome !== 'rejected') await options.cs.acknowledgeOutbox([entry.id]);
    }
    await session.goaway();

    // An outsider speaks HTTP to the network-side port: dropped, unanswered, recorded (R10, R11).
    await new Promise<void>((resolve) => {
      const socket = tcpConnect(port, host, () =>
        socket.write('GET / HTTP/1.1\r\nHost: jukinet\r\n\r\n'),
      );
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    await listener.flushAlerts();
    const [alert] = await alerts.listAlerts({ limit: 1 });
    if (alert)
      io.out(
        `  侵入検知 (intrusion alert) at prefecture:13: ${alert.kind} from ${alert.peerAddress}: ${alert.detail}`,
      );
  } finally {
    await listener.close();
    await alerts.close();
  }
}
