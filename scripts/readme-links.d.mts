// Types of readme-links.mjs for the TypeScript tests that use it.

/** Every link target in `markdown` (inline, reference and HTML), code skipped. */
export declare function linkTargets(markdown: string): string[];

/** Whether a link target works away from the repository: https, mailto: or an anchor. */
export declare function worksOutsideRepository(target: string): boolean;
