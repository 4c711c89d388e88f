// The packages this repository publishes to npm: every folder under packages/ whose
// package.json is not private. The packaging lint, the pack trial and the published-README test
// all work from this one list.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the repository lives: package metadata and README links point here. */
export const REPOSITORY_URL = 'https://github.com/service-jwt/service-jwt';

/**
 * The published packages, in folder order.
 * @param {string} root the repository root
 * @returns {{ name: string, dir: string, manifest: Record<string, unknown> }[]}
 */
export function publishedPackages(root) {
  const folder = join(root, 'packages');
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(folder, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(folder, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { name: manifest.name, dir, manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true);
}
