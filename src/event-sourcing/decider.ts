/**
 * An aggregate as a pure decider (emmett style): the current state is the fold of the stream's
 * events, a command is decided against it into new events, and nothing here touches I/O or the
 * global clock (time travels inside the command).
 */
export interface Decider<Command, State, Event> {
  readonly initialState: State;
  /** The events a command produces in a state; throws a typed domain error to refuse it. */
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

/** Domain events as they travel through the event store: a stable, versioned type string and JSON data. */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

export function foldEvents<State, Event>(decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>, events: readonly Event[]): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState);
}
