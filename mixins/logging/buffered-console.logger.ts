import { format } from 'node:util';
import { Loggers, type LoggerBindings } from 'moleculer';

type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Formatter = (type: LogLevel, args: unknown[]) => unknown[];

/** The part of moleculer's Console logger (untyped in its .d.ts) this class builds on. */
interface ConsoleLoggerBase {
  getLogLevel(mod: string): LogLevel | null;
  getFormatter(bindings: LoggerBindings): Formatter;
}
const ConsoleBase = (Loggers as unknown as { Console: new (opts: object) => ConsoleLoggerBase }).Console;
const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/**
 * Lines waiting for the next turn of the event loop, shared by every logger of the process so that
 * their order is kept. On Linux a write to a pipe or file stdout is synchronous: moleculer's Console
 * logger made one write system call per line, i.e. per request with the access log, which cost as
 * much as the request's own response write.
 */
let pending: string[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const text = pending.join('');
  pending = [];
  process.stdout.write(text);
}

/**
 * util.format of the formatter's parts. Every access log line is all strings with no `%` in the
 * first (the timestamp): util.format then only joins them with spaces, which a join does without
 * its per-argument inspection.
 */
function formatLine(parts: unknown[]): string {
  for (const p of parts) if (typeof p !== 'string') return format(...parts);
  return (parts[0] as string | undefined)?.includes('%') ? format(...parts) : parts.join(' ');
}

let exitHooked = false;

/**
 * moleculer's Console logger (same formats, levels and colours) writing info, debug and trace
 * lines in one batch per event-loop turn. Warnings and errors go out at once, to stderr as before,
 * after the lines queued before them; what is queued when the process exits is written then.
 */
export class BufferedConsoleLogger extends ConsoleBase {
  constructor(opts: object) {
    super(opts);
    if (!exitHooked) {
      exitHooked = true;
      process.once('exit', flush);
    }
  }

  getLogHandler(bindings?: LoggerBindings): ((type: LogLevel, args: unknown[]) => void) | null {
    const level = bindings ? this.getLogLevel(bindings.mod) : null;
    if (!level || !bindings) return null;
    const levelIdx = LEVELS.indexOf(level);
    const formatter = this.getFormatter(bindings);
    return (type, args) => {
      if (LEVELS.indexOf(type) > levelIdx) return;
      const line = `${formatLine(formatter(type, args))}\n`;
      if (type === 'fatal' || type === 'error' || type === 'warn') {
        flush();
        process.stderr.write(line);
        return;
      }
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    };
  }
}
