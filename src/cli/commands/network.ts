import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initNetwork, planNetwork } from '../../nodes/network-init.ts';
import { loadLocalGovernmentTable } from '../../reference-data/local-governments.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';
import { createProgress } from '../progress.ts';

export const NETWORK_HELP = `juki network init --dir DIR [--prefectures 13,14] [--municipalities 131016,141003]
                  [--store postgres://…] [--host 127.0.0.1] [--base-port 27000] [--json]

  Writes a whole network into DIR: the network CA and a certificate bundle per node (DIR/pki),
  one config per node (DIR/nodes/*.json) and DIR/network.json listing them. Start each node as
  its own process, on this machine or another: juki node start --config DIR/nodes/<node>.json

  --prefectures     2-digit codes; alone, every municipality of them gets a CS
  --municipalities  6-digit 団体コード of the CSs (their prefectures are added)
                    neither: all of Japan (every prefecture, every municipality)
  --agencies        agency servers to add (their recipient ids, e.g. mhlw-pension,mofa-passport)
  --store URL       PostgreSQL for every node (one schema each); default one SQLite file per node
  --host            the address every node listens on (default 127.0.0.1)
  --base-port       national server's port; the others follow (default 27000: below the
                    kernel's ephemeral range 32768–60999, so no outgoing connection holds them)`;

const list = (s: string | undefined): string[] | undefined =>
  s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);

export async function runNetwork(args: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      prefectures: { type: 'string' },
      municipalities: { type: 'string' },
      agencies: { type: 'string' },
      store: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'base-port': { type: 'string', default: '27000' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals[0] !== 'init') throw new UsageError(`unknown action\n\n${NETWORK_HELP}`);
  if (values.dir === undefined) throw new UsageError('--dir DIR is required');
  const basePort = Number(values['base-port']);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65_000)
    throw new UsageError('--base-port must be an integer in [1024, 65000]');
  const prefectures = list(values.prefectures);
  const municipalities = list(values.municipalities);
  const plan = planNetwork(loadLocalGovernmentTable(), {
    ...(prefectures ? { prefectures } : {}),
    ...(municipalities ? { municipalities } : {}),
  });
  const progress = createProgress(
    'certificates and configs',
    plan.municipalities.length + plan.prefectures.length + 2,
    {
      interactive: io.interactive,
      write: io.err,
    },
  );
  const dir = resolve(values.dir);
  const agencies = list(values.agencies) ?? [];
  const manifest = await initNetwork({
    ...plan,
    agencies,
    dir,
    host: values.host,
    basePort,
    storeUrl: values.store,
    onProgress: (done) => progress.update(done),
  });
  progress.finish(manifest.nodes.length);
  if (values.json) printJson(io, manifest);
  else {
    io.out(
      `ネットワークを作成しました (network written) in ${dir}: the national server, ${plan.prefectures.length} prefecture server(s), ${plan.municipalities.length} CS, the switch`,
    );
    io.out(
      `Start each node: juki node start --config ${dir}/nodes/<node>.json   (list: ${dir}/network.json)`,
    );
  }
  return EXIT.ok;
}
