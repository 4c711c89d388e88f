// A process's CPU time as the kernel counts it, read from /proc: the figure every server cost
// in the bench is built from (the load generator's per run, the settle tool's per second).
import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat`'s times (USER_HZ, 100 on Linux). */
export const TICKS_PER_SECOND = 100;

/** The process's user and system CPU time so far, in clock ticks (every thread). */
export function cpuTicks(pid: number): { readonly user: number; readonly system: number } {
  // Fields after the command name: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}
