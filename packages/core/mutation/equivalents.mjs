// How a mutant is matched against equivalent-mutants.json: shared by score.mjs (which leaves
// listed mutants out of the score) and unlisted.mjs (which leaves them out of a run).

/** Whitespace runs collapse to one space, so reformatting does not break an entry. */
export const squash = (text) => text.replace(/\s+/g, ' ').trim();

/** An entry's `original` ending in `…` matches any snippet it starts (long blocks). */
function sameSnippet(listed, actual) {
  const text = squash(listed);
  return text.endsWith('…') ? actual.startsWith(text.slice(0, -1)) : actual === text;
}

/**
 * The source text a mutant replaces. `location` has 1-based lines and columns, as in Stryker's
 * JSON report.
 */
export function snippet(lines, location) {
  const { start, end } = location;
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  const parts = [lines[start.line - 1].slice(start.column - 1)];
  for (let l = start.line; l < end.line - 1; l++) parts.push(lines[l]);
  parts.push(lines[end.line - 1].slice(0, end.column - 1));
  return parts.join('\n');
}

/**
 * The list entry a mutant of `path` matches, or undefined. `lines` is the file's source split
 * into lines; `mutant` has `mutatorName`, `replacement` and a 1-based `location`.
 */
export function findEntry(equivalents, path, lines, mutant) {
  const original = squash(snippet(lines, mutant.location));
  const replacement = squash(mutant.replacement ?? '');
  // `within` is looked for in the mutated lines and the line after them.
  const context = squash(
    lines.slice(mutant.location.start.line - 1, mutant.location.end.line + 1).join('\n'),
  );
  return equivalents.find(
    (e) =>
      path.endsWith(e.file) &&
      e.mutator === mutant.mutatorName &&
      sameSnippet(e.original, original) &&
      squash(e.replacement) === replacement &&
      (e.within === undefined || context.includes(squash(e.within))),
  );
}
