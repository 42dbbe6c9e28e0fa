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
  @ApiOperation({
    summary: 'Liveness and readiness: store connectivity and projection lag (no auth)',
    description:
      '`status` is `ok`, `degraded` (200: the stores answer and writes work, but a projection is failing or has parked events; ' +
      '`problems` names each such projection with its error, and its `parked` entries name the events) or `down` (503: a store ' +
      'does not answer). `eventsBehind` counts log positions between a projection\'s checkpoint and the newest event of the ' +
      'streams it reads (0: caught up), so events of other streams never count as lag.',
  })
  @ApiOkResponse({ description: 'Both stores reachable (status ok or degraded)' })
  @ApiServiceUnavailableResponse({ description: 'A store is unreachable' })
  async check(@Res({ passthrough: true }) res: { status(code: number): unknown }) {
    const [eventStore, readStore] = await Promise.all([
      probe(this.config.eventStore.kind, () => this.events.ping()),
      probe(this.config.readStore.kind, () => this.readStore.ping()),
    ]);
    const up = eventStore.status === 'ok';
    const head = up ? await this.events.headPosition().catch(() => null) : null;
    const projections = await Promise.all(
      this.projections.statuses().map(async (status) => {
        const behindHead = this.events.distance(status.checkpoint, head);
        // Null: the adapter cannot count (EventStoreDB), and its filtered head would walk the log.
        if (!up || !behindHead) return { ...status, eventsBehind: behindHead };
        // Lag is measured against the newest event the projection reads: a projection of a few streams
        // is not behind because other streams were appended to.
        const readsUpTo = await this.events.headPosition({ streamPrefixes: this.projections.streamPrefixes(status.name) }).catch(() => head);
        return { ...status, eventsBehind: readsUpTo === null ? 0 : this.events.distance(status.checkpoint, readsUpTo) };
      }),
    );
    const problems = projections
      .filter((p) => p.state === 'failing' || p.parkedCount > 0)
      .map((p) => ({ projection: p.name, state: p.state, lastError: p.lastError, parkedCount: p.parkedCount }));
    const ok = eventStore.status === 'ok' && readStore.status === 'ok';
    res.status(ok ? 200 : 503);
    return { status: !ok ? 'down' : problems.length ? 'degraded' : 'ok', checks: { eventStore, readStore }, headPosition: head, projections, ...(problems.length ? { problems } : {}) };
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
