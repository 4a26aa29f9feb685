/** What use cases tell operations: the service's logger, seen through the levels they use. */
export interface Logger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}
