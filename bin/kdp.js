#!/usr/bin/env node
// kdp runs on Node.js 24 (LTS). From a checkout, `npm ci` installs it as the pinned `node` dev
// dependency, and npm scripts and `npx kdp` put node_modules/.bin first on PATH, so they run it.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `error: kdp needs Node.js 24 or newer; this is ${process.version} (${process.execPath}).\n` +
      'Run it through npm from the repository (`npm start`, `npx kdp …`), which uses the Node 24 that `npm ci` installed\n' +
      'in node_modules/.bin, or put that directory first on PATH.\n',
  );
  process.exit(1);
}
await import('../dist/cli/main.js');
