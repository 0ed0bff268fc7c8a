import { GUICHET, type Guichet, Public } from '@guichet/nestjs';
import { Controller, Get, Inject } from '@nestjs/common';

/** Whether Guichet's events reach this app: how many times the feed connected, events seen per type. */
export interface EventsHealth {
  connections: number;
  events: Record<string, number>;
}

/**
 * A health check of the SDK's event feed, read through the injected SDK instance. It reports
 * counts only: event payloads name sessions and people, which a public route must not show.
 */
@Controller('health/events')
@Public()
export class EventsHealthController {
  readonly #health: EventsHealth = { connections: 0, events: {} };

  constructor(@Inject(GUICHET) guichet: Guichet) {
    guichet.on('connected', () => {
      this.#health.connections += 1;
    });
    guichet.on('event', (event) => {
      this.#health.events[event.type] = (this.#health.events[event.type] ?? 0) + 1;
    });
  }

  @Get()
  health(): EventsHealth {
    return this.#health;
  }
}
