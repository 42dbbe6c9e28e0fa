import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/access.decorators';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { READ_STORE, ReadStore } from '../read-store/read-store.port';

interface StoreCheck {
  status: 'ok' | 'down';
  kind: string;
  latencyMs: number;
  error?: string;
}

const PING_TIMEOUT_MS = 2000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly projections: ProjectionRegistry,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and readiness: store connectivity and projection lag (no auth)' })
  @ApiOkResponse({ description: 'Both stores reachable' })
  @ApiServiceUnavailableResponse({ description: 'A store is unreachable' })
  async check(@Res({ passthrough: true }) res: { status(code: number): unknown }) {
    const [eventStore, readStore] = await Promise.all([
      probe(this.config.eventStore.kind, () => this.events.ping()),
      probe(this.config.readStore.kind, () => this.readStore.ping()),
    ]);
    const head = eventStore.status === 'ok' ? await this.events.headPosition().catch(() => null) : null;
    const projections = this.projections.statuses().map((status) => ({
      ...status,
      eventsBehind: this.events.distance(status.checkpoint, head),
    }));
    const ok = eventStore.status === 'ok' && readStore.status === 'ok';
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'down', checks: { eventStore, readStore }, headPosition: head, projections };
  }
}

async function probe(kind: string, ping: () => Promise<void>): Promise<StoreCheck> {
  const started = performance.now();
  try {
    await Promise.race([
      ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS).unref()),
    ]);
    return { status: 'ok', kind, latencyMs: round(performance.now() - started) };
  } catch (error) {
    return { status: 'down', kind, latencyMs: round(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
