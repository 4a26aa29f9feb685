/** Every adapter behind a port is started before use and stopped on shutdown. */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}
