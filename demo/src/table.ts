import type { Outcome } from './call.js';
import type { Expected, Scenario } from './scenarios.js';

/** `200`, `401 token_expired`, `200, tokens signed`. */
export function describe(result: Expected | Outcome): string {
  const status = result.status === 0 ? 'no answer' : String(result.status);
  const code = result.code === undefined ? status : `${status} ${result.code}`;
  return result.note === undefined ? code : `${code}, ${result.note}`;
}

const HEADERS = ['#', 'caller → callee', 'token', 'expected', 'outcome', ''] as const;

/** A fixed-width table printed row by row, sized from the scenarios before they run. */
export function createTable(scenarios: readonly Scenario[], write: (line: string) => void) {
  const cells = scenarios.map((s, i) => [
    String(i + 1),
    `${s.caller} → ${s.callee}`,
    s.token,
    describe(s.expected),
  ]);
  const widths = HEADERS.slice(0, 4).map((header, column) =>
    Math.max(header.length, ...cells.map((row) => (row[column] as string).length)),
  );
  const outcomeWidth = Math.max(...widths.slice(3)) + 4;
  const line = (values: readonly string[]) =>
    values
      .map((value, i) =>
        i < 4 ? value.padEnd(widths[i] as number) : i === 4 ? value.padEnd(outcomeWidth) : value,
      )
      .join('  ')
      .trimEnd();
  return {
    header() {
      write(line(HEADERS));
      write(line([...widths, outcomeWidth, 2].map((w) => '─'.repeat(w))));
    },
    row(index: number, outcome: Outcome, ok: boolean) {
      write(line([...(cells[index] as string[]), describe(outcome), ok ? '✓' : '✗']));
      for (const detail of outcome.detail ?? [])
        write(`${' '.repeat(widths[0] as number)}  ${detail}`);
    },
  };
}
