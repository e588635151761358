/**
 * The simulator's events and the small interface the simulated parts use to act on the run: the current
 * time, the queue, the trace and the violation list.
 */
import type { InvariantName } from "../../model/invariants/names.ts"
import type { ClientRequest, ClientResult, RequestId } from "../protocol/io.ts"
import type { Message } from "../protocol/messages.ts"

export type SimEvent =
  | {
      readonly _tag: "Deliver"
      readonly from: number
      readonly to: number
      readonly message: Message
      /** When it was sent, and how long a clogged link held it before it left: for the timeline only. */
      readonly sentAtMs: number
      readonly heldMs: number
    }
  /** Adversary bytes: decoded with the Message Schema when they arrive, like anything from a socket. */
  | { readonly _tag: "DeliverForged"; readonly from: number; readonly to: number; readonly payload: unknown }
  | { readonly _tag: "Wake"; readonly node: number; readonly incarnation: number }
  | {
      readonly _tag: "FsyncDone"
      readonly node: number
      readonly incarnation: number
      readonly wrote: boolean
      /** The host's completion of the write. */
      readonly done: () => void
    }
  /** The host's "later in this turn": runs after every event already queued for this millisecond. */
  | { readonly _tag: "Later"; readonly node: number; readonly incarnation: number; readonly run: () => void }
  | {
      readonly _tag: "ClientArrive"
      readonly node: number
      readonly requestId: RequestId
      readonly request: ClientRequest
    }
  | {
      readonly _tag: "ClientReply"
      readonly from: number
      readonly requestId: RequestId
      readonly result: ClientResult
    }
  | { readonly _tag: "ClientRetry"; readonly client: number; readonly requestId: RequestId }
  /** A client's one timer: it times out the current attempt if that attempt's deadline has passed. */
  | { readonly _tag: "ClientTimeout"; readonly client: number }
  | { readonly _tag: "Resume"; readonly node: number; readonly pauseId: number }
  /** An OnLeader trigger's fault falling due on the leader it fired for (if it still leads that term). */
  | { readonly _tag: "LeaderFault"; readonly node: number; readonly term: number; readonly trigger: number }
  /** The end of a triggered fault: restart the replica, or restore its links. */
  | { readonly _tag: "LeaderFaultEnd"; readonly node: number; readonly trigger: number; readonly incarnation: number }

export interface Violation {
  /** One of model/invariants/names.ts's closed set of names. */
  readonly invariant: InvariantName
  readonly message: string
  readonly atMs: number
  readonly seed: number
  readonly node?: number
}

export interface SimContext {
  readonly nowMs: number
  readonly seed: number
  enqueue(atMs: number, event: SimEvent): void
  note(text: string): void
  violation(invariant: InvariantName, message: string, node?: number): void
}
