// What npm receives must stand on its own: metadata that leads back to the repository, the
// licence, types every TypeScript resolution finds, and READMEs whose links work on the npm
// page (where a relative link leads nowhere).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type PublishedPackage,
  publishedPackages,
  REPOSITORY_URL,
} from '../published-packages.mjs';
import { linkTargets, worksOutsideRepository } from '../readme-links.mjs';

const root = resolve(__dirname, '../..');
const packages = publishedPackages(root);
const rootLicense = readFileSync(join(root, 'LICENSE'), 'utf8');
const folderOf = (pkg: PublishedPackage) => pkg.dir.slice(root.length + 1);

describe('the published package list', () => {
  it('holds every package but the private conformance suite', () => {
    expect(packages.map((pkg) => pkg.name)).toContain('@service-jwt/core');
    expect(packages.map((pkg) => pkg.name)).not.toContain('@service-jwt/conformance');
  });
});

describe('README link finder', () => {
  const sample = [
    '[inline](docs/a.md) and ![image](./img.png "title") and [abs](https://example.com/x)',
    '[anchor](#options) <a href="../b.md">b</a> <img src="https://example.com/i.png">',
    '[ref]: ../../docs/c.md',
    '`[code](not-a-link.md)`',
    '```md',
    '[fenced](not-a-link-either.md)',
    '```',
  ].join('\n');

  it('finds inline, image, reference and HTML targets and skips code', () => {
    expect(linkTargets(sample).sort()).toEqual(
      [
        'docs/a.md',
        './img.png',
        'https://example.com/x',
        '#options',
        '../b.md',
        'https://example.com/i.png',
        '../../docs/c.md',
      ].sort(),
    );
  });

  it('calls relative targets broken away from the repository', () => {
    expect(linkTargets(sample).filter((target) => !worksOutsideRepository(target))).toEqual([
      'docs/a.md',
      './img.png',
      '../../docs/c.md',
      '../b.md',
    ]);
  });
});

describe.each(packages.map((pkg) => [pkg.name, pkg] as const))('%s', (_name, pkg) => {
  const manifest = pkg.manifest as {
    repository?: { type?: string; url?: string; directory?: string };
    homepage?: string;
    bugs?: { url?: string };
    license?: string;
    files?: string[];
    main?: string;
    types?: string;
    typesVersions?: Record<string, Record<string, string[]>>;
    exports?: Record<string, { types?: string } | string>;
    publishConfig?: { exports?: Record<string, Record<string, string> | string> };
  };
  const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');

  it('has no README link that is dead on the npm page', () => {
    const relative = linkTargets(readme).filter((target) => !worksOutsideRepository(target));
    expect(relative).toEqual([]);
  });

  it('links only to files of this repository that exist', () => {
    const prefix =
      /^https:\/\/github\.com\/service-jwt\/service-jwt\/(?:blob|tree)\/main\/([^#?]+)/;
    const missing = linkTargets(readme)
      .map((target) => prefix.exec(target)?.[1])
      .filter((path): path is string => path !== undefined && !existsSync(join(root, path)));
    expect(missing).toEqual([]);
  });

  it('states its requirements: Node version, module systems and TypeScript resolutions', () => {
    const requirements = /^## Requirements\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
    expect(requirements).toContain('Node.js 20.19');
    expect(requirements).toMatch(/require\(\)/);
    expect(requirements).toMatch(/node10/);
  });

  it('leads back to the repository, its folder and its issues', () => {
    expect(manifest.repository).toEqual({
      type: 'git',
      url: `git+${REPOSITORY_URL}.git`,
      directory: folderOf(pkg),
    });
    expect(manifest.homepage).toBe(`${REPOSITORY_URL}/tree/main/${folderOf(pkg)}#readme`);
    expect(manifest.bugs).toEqual({ url: `${REPOSITORY_URL}/issues` });
  });

  it('ships the root licence', () => {
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(pkg.dir, 'LICENSE'), 'utf8')).toBe(rootLicense);
  });

  it('ships the sources its maps point at', () => {
    expect(manifest.files).toEqual(['dist', 'src']);
  });

  it('gives the old node10 resolution the types of every entry point', () => {
    expect(manifest.main).toBe('./dist/index.js');
    const typed = Object.entries(manifest.exports ?? {}).flatMap(([subpath, target]) =>
      typeof target === 'string' ? [] : [[subpath, target.types] as const],
    );
    expect(manifest.types).toBe(Object.fromEntries(typed)['.']);
    const mapped = manifest.typesVersions?.['*'] ?? {};
    const subpaths = typed.filter(([subpath]) => subpath !== '.');
    expect(
      Object.fromEntries(Object.entries(mapped).map(([key, [types]]) => [key, types])),
    ).toEqual(Object.fromEntries(subpaths.map(([subpath, types]) => [subpath.slice(2), types])));
  });

  it('publishes exports without the workspace-only source condition, and its package.json', () => {
    const published = manifest.publishConfig?.exports ?? {};
    expect(Object.keys(published)).toEqual(Object.keys(manifest.exports ?? {}));
    for (const target of Object.values(published)) {
      if (typeof target !== 'string') expect(Object.keys(target)).toEqual(['types', 'default']);
    }
    expect(published['./package.json']).toBe('./package.json');
  });
});
