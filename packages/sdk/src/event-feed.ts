/** What an event source reports to the client. */
export interface EventFeedHandlers {
  /** One event message: the JSON Guichet published. */
  onMessage(json: string): void;
  /**
   * The feed is (re)connected. `complete` is true when nothing published since the previous connection
   * can have been missed (an SSE resume with Last-Event-ID); false means cached state may be stale.
   */
  onOpen(complete: boolean): void;
  /** Connection trouble, reported once per outage; the feed keeps reconnecting by itself. */
  onError(error: Error): void;
}

/** A running event source. */
export interface EventFeed {
  close(): Promise<void>;
}
