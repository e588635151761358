/**
 * The node's world for the shared replica host (src/host): the monotonic clock with its injected offset,
 * setImmediate for "later in this turn", one setTimeout for the replica's next wake, the WAL file (append +
 * fdatasync, the recovering marker) and the peer transport.
 */
import { Effect } from "effect"
import type { HostWorld } from "../host/world.ts"
import type { Output } from "../protocol/index.ts"
import type { NodeClock } from "./clock.ts"
import type { WalService } from "./wal.ts"

export interface LiveWorldOptions {
  readonly clock: NodeClock
  readonly wal: WalService
  readonly send: (output: Extract<Output, { _tag: "Send" }>) => void
  /** The disk failed: the node cannot promise durability any more and must stop (fsync errors are not retried). */
  readonly onFatal: (error: unknown) => void
  readonly log: (line: string) => void
  /** After each step (see HostWorld.stepped): the node watches for its first known leader. */
  readonly stepped?: HostWorld["stepped"]
}

/** How long one drain may step inputs before it lets the event loop run (see HostWorld.drainBudget). */
const drainBudgetMs = 20

const failure = (error: unknown): unknown => error ?? new Error("the WAL operation failed without a reason")

export const liveWorld = (options: LiveWorldOptions): HostWorld => {
  let timer: NodeJS.Timeout | undefined
  return {
    nowMs: () => options.clock.nowMs(),
    later: (run) => void setImmediate(run),
    drainBudget: () => {
      const startedAtMs = performance.now()
      return () => performance.now() - startedAtMs >= drainBudgetMs
    },
    timerAt: (atMs, run) => {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      if (!Number.isFinite(atMs)) return
      timer = setTimeout(() => {
        timer = undefined
        run()
      }, options.clock.delayUntilMs(atMs))
    },
    storage: {
      append: (records, done) =>
        void Effect.runPromise(options.wal.append(records)).then(
          () => done(),
          (error: unknown) => done(failure(error))
        ),
      markRecovered: (done) =>
        void Effect.runPromise(options.wal.markRecovered).then(
          () => done(),
          (error: unknown) => done(failure(error))
        )
    },
    send: options.send,
    ...(options.stepped !== undefined ? { stepped: options.stepped } : {}),
    fatal: options.onFatal,
    log: options.log
  }
}
