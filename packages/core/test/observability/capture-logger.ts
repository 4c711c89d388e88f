import type { Logger } from '@service-jwt/core';

/** One line a logger was given. */
export interface LogLine {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A logger that keeps what it is given, for assertions. */
export function captureLogger(): Logger & {
  readonly lines: LogLine[];
  at(level: string): LogLine[];
} {
  const lines: LogLine[] = [];
  const method =
    (level: LogLine['level']) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, fields, message });
    };
  return {
    lines,
    at: (level) => lines.filter((line) => line.level === level),
    error: method('error'),
    warn: method('warn'),
    info: method('info'),
    debug: method('debug'),
  };
}
