// The link targets of a Markdown document as npm renders it: inline links and images
// `[text](target "title")`, reference definitions `[label]: target` and HTML `href`/`src`
// attributes. Fenced and inline code is skipped, since a link there is not rendered as a link.

const FENCE = /^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm;
const INLINE_CODE = /`[^`\n]*`/g;
const INLINE_LINK = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE = /^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?([^\s>]+)>?/gm;
const HTML_ATTRIBUTE = /\b(?:href|src)\s*=\s*["']([^"']+)["']/gi;

/**
 * Every link target in `markdown`, in document order per kind.
 * @param {string} markdown
 * @returns {string[]}
 */
export function linkTargets(markdown) {
  const text = markdown.replace(FENCE, '').replace(INLINE_CODE, '');
  return [INLINE_LINK, REFERENCE, HTML_ATTRIBUTE].flatMap((pattern) =>
    [...text.matchAll(pattern)].map((match) => match[1]),
  );
}

/**
 * Whether a link target still leads somewhere when the document is shown away from the
 * repository (the npm page): an absolute https URL, a `mailto:` address or an anchor in the
 * same document.
 * @param {string} target
 */
export function worksOutsideRepository(target) {
  return /^(https:\/\/|mailto:|#)/.test(target);
}
