/**
 * Crash points for the fault tests: `HUB_CRASH_AT=<name>` makes the process SIGKILL itself at that
 * point, the moment a real crash would do the most harm (after an upload but before its commit,
 * after an inbound commit but before the remote move). Unset, it is one string comparison.
 */
export type CrashPoint = 'after-upload' | 'after-stage' | 'after-inbound-commit' | 'after-intake-commit' | 'after-as2-commit' | 'mid-reroute';

export function crashPoint(name: CrashPoint): void {
  if (process.env.HUB_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
