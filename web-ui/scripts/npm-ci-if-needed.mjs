// Runs `npm ci` unless node_modules was installed from exactly this package-lock.json (its hash is
// kept in node_modules/.wirelab-lock), so a build with node_modules in place needs no registry.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const lock = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
const marker = 'node_modules/.wirelab-lock';
if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === lock) {
  console.log('web-ui: node_modules matches package-lock.json, npm ci skipped');
  process.exit(0);
}
console.log('web-ui: npm ci (node_modules missing or from another package-lock.json)');
const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`web-ui: npm ci failed (exit ${r.status ?? r.signal}); it needs the npm registry once`);
  process.exit(r.status ?? 1);
}
writeFileSync(marker, lock + '\n');
