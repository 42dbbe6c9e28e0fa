import { randomUUID } from 'node:crypto';
import { WrongExpectedRevisionError } from '../event-store/event-store.errors';
import { EventStore, JsonObject, Position, RecordedEvent } from '../event-store/event-store.port';
import { Decider, DomainEvent, foldEvents } from './decider';

export interface DecidedCommand<State, Event> {
  /** State before the command. */
  before: State;
  /** State after the command's events. */
  after: State;
  /** Events appended (empty: the command changed nothing and nothing was written). */
  events: Event[];
  /** Position of the last appended event; null when nothing was appended. */
  position: Position | null;
  /** Revision of the stream's last event after the command (-1: the stream does not exist). */
  revision: number;
}

export interface DecideOptions {
  /**
   * How many times a command whose append lost a race is decided again on the stream as it now is.
   * Only for commands whose decision stays right on any later state (an idempotent request, a fact to
   * record); a command the caller chose on a state it saw must get its 409 instead (default 0).
   */
  redecideOnConflict?: number;
}

/**
 * Runs a command against one event-sourced stream: reads it, folds it into state, decides, and
 * appends the new events with the revision it read as the expected revision. A concurrent writer
 * makes the append fail with WrongExpectedRevisionError (the caller answers 409); nothing is retried
 * behind the caller's back, because the decision was made on a state that no longer holds, unless
 * the command is one that `redecideOnConflict` allows to be decided again.
 */
export async function decideOnStream<Command, State, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, State, Event>,
  decode: (recorded: RecordedEvent) => Event,
  command: Command,
  metadata: JsonObject = {},
  options: DecideOptions = {},
): Promise<DecidedCommand<State, Event>> {
  for (let redecisions = 0; ; redecisions++) {
    try {
      return await decideOnce(store, stream, decider, decode, command, metadata);
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || redecisions >= (options.redecideOnConflict ?? 0)) throw error;
    }
  }
}

async function decideOnce<Command, State, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, State, Event>,
  decode: (recorded: RecordedEvent) => Event,
  command: Command,
  metadata: JsonObject,
): Promise<DecidedCommand<State, Event>> {
  const recorded = await store.readStream(stream);
  const before = foldEvents(decider, recorded.map(decode));
  const events = decider.decide(command, before);
  const revision = recorded.length === 0 ? -1 : recorded[recorded.length - 1].revision;
  if (events.length === 0) return { before, after: before, events, position: null, revision };
  const appended = await store.append(
    stream,
    events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data as JsonObject, metadata })),
    revision === -1 ? 'no_stream' : revision,
  );
  return {
    before,
    after: foldEvents({ initialState: before, evolve: decider.evolve }, events),
    events,
    position: appended.position,
    revision: appended.nextExpectedRevision,
  };
}

/** Reads a stream and folds it (no command): the authoritative current state. */
export async function stateOfStream<State, Event>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
  decode: (recorded: RecordedEvent) => Event,
): Promise<State> {
  return foldEvents(decider, (await store.readStream(stream)).map(decode));
}
