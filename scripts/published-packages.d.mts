// Types of published-packages.mjs for the TypeScript tests that use it.

/** Where the repository lives: package metadata and README links point here. */
export declare const REPOSITORY_URL: string;

/** A published package: its npm name, its folder and its package.json. */
export interface PublishedPackage {
  name: string;
  dir: string;
  manifest: Record<string, unknown>;
}

/** The packages under `<root>/packages` whose package.json is not private. */
export declare function publishedPackages(root: string): PublishedPackage[];
