/**
 * The CLI as a process, run from source (`node --import tsx src/cli/entry.ts …`): what the
 * multi-process tests spawn, so they test the code in the tree rather than a stale `dist/`.
 * `bin/juki.js` is the installed equivalent.
 */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
