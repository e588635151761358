/**
 * The transition under construction during one step. A step is a pure function of (config, state, input);
 * internally it accumulates the next state and the outputs here, and nothing escapes but the result.
 */
import { uniformInt } from "pure-rand/distribution/uniformInt"
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus"
import type { ReplicaConfig } from "./config.ts"
import type { Entry, HardState, NodeId } from "./entry.ts"
import type { Output } from "./io.ts"
import { lastIndex } from "./log.ts"
import type { Message } from "./messages.ts"
import type { ReplicaState } from "./state.ts"

export class AssertionFailure extends Error {
  override readonly name = "AssertionFailure"
}

/** Replica assertions: a failure is a bug in the replica, reported with the seed by the simulator. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message)
}

export interface Context {
  readonly config: ReplicaConfig
  state: ReplicaState
  readonly outputs: Array<Output>
}

export const send = (context: Context, to: NodeId, message: Message): void => {
  assert(to !== context.config.id, "a replica never sends to itself")
  context.outputs.push({ _tag: "Send", to, message })
}

export const hardStateOf = (state: ReplicaState): HardState => ({ term: state.term, votedFor: state.votedFor })

export interface PersistRequest {
  readonly hardState?: boolean
  /** What to write as the hard state when it must differ from the state's (bug zoo only). */
  readonly hardStateValue?: HardState
  readonly truncateFrom?: number
  readonly append?: ReadonlyArray<Entry>
  /** Outputs that depend on this write and must wait for its PersistDone. */
  readonly release?: ReadonlyArray<Output>
}

/** Emits a Persist barrier and parks the outputs that depend on it until the host reports it durable. */
export const persist = (context: Context, request: PersistRequest): void => {
  const state = context.state
  const ioId = state.nextIoId
  const append = request.append ?? []
  const release = request.release ?? []
  context.outputs.push({
    _tag: "Persist",
    ioId,
    ...(request.hardState === true ? { hardState: request.hardStateValue ?? hardStateOf(state) } : {}),
    ...(request.truncateFrom !== undefined ? { truncateFrom: request.truncateFrom } : {}),
    append
  })
  // A truncation makes the entries it removes no longer ours, even once earlier writes complete.
  const cap = request.truncateFrom === undefined ? Number.POSITIVE_INFINITY : request.truncateFrom - 1
  const earlierIo = state.pendingIo.map((io) => (io.lastIndexAfter > cap ? { ...io, lastIndexAfter: cap } : io))
  context.state = {
    ...state,
    nextIoId: ioId + 1,
    durableIndex: Math.min(state.durableIndex, cap),
    pendingIo: [...earlierIo, { ioId, lastIndexAfter: lastIndex(state.log), release }]
  }
  if (context.config.bugs.has("ackBeforePersist")) {
    // Bug zoo: acknowledge before the write is durable, as stores that reply before fsync do.
    context.outputs.push(...release)
    context.state = {
      ...context.state,
      pendingIo: context.state.pendingIo.map((io) => (io.ioId === ioId ? { ...io, release: [] } : io))
    }
  }
}

/** Counts a message refused before it touched state, by a stable reason name. */
export const reject = (context: Context, reason: string): void => {
  const stats = context.state.stats
  context.state = {
    ...context.state,
    stats: {
      ...stats,
      rejectedMessages: { ...stats.rejectedMessages, [reason]: (stats.rejectedMessages[reason] ?? 0) + 1 }
    }
  }
}

/** A uniform draw in [fromInclusive, toInclusive] from the PRNG carried in the state. */
export const drawInteger = (context: Context, fromInclusive: number, toInclusive: number): number => {
  const generator = xoroshiro128plusFromState(context.state.randomState)
  const value = uniformInt(generator, fromInclusive, toInclusive)
  context.state = { ...context.state, randomState: generator.getState() }
  assert(value >= fromInclusive && value <= toInclusive, "the PRNG draw is within its range")
  return value
}

export const peersOf = (config: ReplicaConfig): ReadonlyArray<NodeId> =>
  config.voters.filter((voter) => voter !== config.id)
