/**
 * The sequential specification a history is checked against. The checker is generic over it: the store's own
 * kv spec, the Porcupine key-value spec (with append) and the Jepsen etcd register all plug in here.
 */

/** The output of an operation whose outcome the client never learned (a timeout, a crash, Jepsen's `:info`). */
export const unknownOutput: unique symbol = Symbol.for("faultline/model/unknownOutput")
export type UnknownOutput = typeof unknownOutput

/** What the client saw: a definite output, or nothing at all. */
export type ObservedOutput<Output> = Output | UnknownOutput

export const isUnknownOutput = <Output>(output: ObservedOutput<Output>): output is UnknownOutput =>
  output === unknownOutput

/**
 * How an operation uses a register: it writes `value`, or it reads `value` (null: the initial state, which no
 * write may produce). Used by the polynomial-time check for histories whose writes are unique (uniqueWrites.ts).
 */
export type RegisterAccess =
  | { readonly _tag: "Write"; readonly value: string }
  | { readonly _tag: "Read"; readonly value: string | null }

export interface LinearizabilitySpec<State, Input, Output> {
  readonly name: string
  readonly initialState: State
  /**
   * The state after `input` takes effect in `state` and produces `output`, or `undefined` when `output` is not a
   * result this spec allows in `state`. With an unknown output the step must always succeed: an operation whose
   * outcome is unknown may take effect with whatever result the spec gives it. States are never mutated.
   */
  readonly step: (state: State, input: Input, output: ObservedOutput<Output>) => State | undefined
  readonly statesEqual: (left: State, right: State) => boolean
  /** Optional: a hash of the state, mixed into the memoization key to keep cache buckets short. */
  readonly hashState?: (state: State) => number
  /** Operations on different partitions commute (P-compositionality), so each partition is checked alone. */
  readonly partitionKey: (input: Input) => string
  /**
   * Optional: true when the input never changes the state. Such an operation with an unknown outcome
   * constrains nothing, so the checker drops it instead of searching over where it might go.
   */
  readonly isReadOnly?: (input: Input) => boolean
  /**
   * Optional: a text that is equal for two inputs exactly when they are the same command. Unknown-outcome
   * operations with the same input are interchangeable, so the search uses them in call order only (see
   * searchPartition.ts); without this key every one of them is searched on its own.
   */
  readonly inputKey?: (input: Input) => string
  /**
   * Optional: the operation as a plain read or write of a register that starts at its initial state, or
   * undefined for anything else (a delete, a cas, an append, a result the spec never gives). With it, a partition
   * whose operations are all plain reads and writes, each write of its own value, is decided in polynomial time;
   * anything else goes to the search.
   */
  readonly registerAccess?: (input: Input, output: ObservedOutput<Output>) => RegisterAccess | undefined
  readonly describeOperation: (input: Input, output: ObservedOutput<Output>) => string
  readonly describeState: (state: State) => string
}

export interface DeterministicSpecDefinition<State, Input, Output> {
  readonly name: string
  readonly initialState: State
  /** The sequential semantics: one input applied to one state gives exactly one state and one output. */
  readonly apply: (state: State, input: Input) => { readonly state: State; readonly output: Output }
  readonly outputsEqual: (left: Output, right: Output) => boolean
  readonly statesEqual: (left: State, right: State) => boolean
  readonly hashState?: (state: State) => number
  readonly partitionKey: (input: Input) => string
  readonly isReadOnly?: (input: Input) => boolean
  readonly inputKey?: (input: Input) => string
  readonly registerAccess?: (input: Input, output: ObservedOutput<Output>) => RegisterAccess | undefined
  readonly describeOperation: (input: Input, output: ObservedOutput<Output>) => string
  readonly describeState: (state: State) => string
}

/** Builds a checker spec from a deterministic sequential semantics: an observed output must equal the spec's. */
export const deterministicSpec = <State, Input, Output>(
  definition: DeterministicSpecDefinition<State, Input, Output>
): LinearizabilitySpec<State, Input, Output> => {
  const { apply, outputsEqual, ...rest } = definition
  return {
    ...rest,
    step: (state, input, output) => {
      const next = apply(state, input)
      if (output === unknownOutput) return next.state
      return outputsEqual(next.output, output) ? next.state : undefined
    }
  }
}
