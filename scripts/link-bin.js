// npm links the bins of dependencies into node_modules/.bin, but not the project's own; `npx kdp`
// from the repository root looks only there. Link ours too so the README's `npx kdp …` works.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
const link = join(binDir, 'kdp');
rmSync(link, { force: true });
symlinkSync('../../bin/kdp.js', link);
