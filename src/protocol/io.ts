/**
 * What a replica is given (Input) and what it asks its host to do (Output).
 *
 * The ordering contract, as in etcd-raft's Ready: the host performs outputs in the order given. A `Persist`
 * is a barrier — the host writes it durably (fsync) and only then feeds `PersistDone { ioId }` back. Nothing
 * that depends on a Persist (a vote, an append acknowledgement, a candidate's vote requests) is ever emitted
 * before that PersistDone arrives: the replica holds such messages itself and releases them then, so a host
 * cannot get the order wrong. Persists complete in ioId order.
 */
import type { AppCommand, AppQuery, AppRejection, AppResult } from "../app/machine.ts"
import type { Entry, HardState, NodeId, Session } from "./entry.ts"
import type { Message } from "./messages.ts"
import type { ProposalRejection } from "./proposal.ts"

export type RequestId = number

/**
 * Time enters only through inputs: a Tick is nothing but the host's clock reading, and every other input may
 * carry the reading taken when the host hands it over. The replica first advances its clock to that reading —
 * firing whatever timers are due, exactly as a Tick would — and then handles the input, so a host needs no
 * separate Tick before each input to keep leases and deadlines honest. A reading at or behind the replica's
 * clock changes nothing (an injected offset never moves the replica's time backwards).
 */
interface Clocked {
  /** The host's clock reading, in milliseconds. */
  readonly nowMs?: number
}

export type Input =
  /** The host's clock reading, in milliseconds. */
  | { readonly _tag: "Tick"; readonly nowMs: number }
  | ({ readonly _tag: "Receive"; readonly from: NodeId; readonly message: Message } & Clocked)
  /** A peer sent bytes that did not decode with the message Schema; counted, never applied. */
  | ({ readonly _tag: "Malformed"; readonly from: NodeId; readonly reason: string } & Clocked)
  | ({
      readonly _tag: "ClientRequest"
      readonly requestId: RequestId
      readonly request: ClientRequest
    } & Clocked)
  /**
   * Client requests that arrived together (a host drains its queue): handled as that many ClientRequests, but
   * the leader writes their entries in one Persist and replicates them, and confirms their reads, in one round.
   */
  | ({ readonly _tag: "ClientRequests"; readonly requests: ReadonlyArray<ClientRequestItem> } & Clocked)
  | ({ readonly _tag: "PersistDone"; readonly ioId: number } & Clocked)

export interface ClientRequestItem {
  readonly requestId: RequestId
  readonly request: ClientRequest
}

export type ClientRequest =
  | { readonly _tag: "Command"; readonly session: Session; readonly command: AppCommand }
  | { readonly _tag: "Query"; readonly query: AppQuery }

export type ClientResult =
  | { readonly _tag: "Applied"; readonly result: AppResult; readonly index: number }
  | { readonly _tag: "Read"; readonly result: AppResult; readonly readIndex: number }
  | { readonly _tag: "NotLeader"; readonly leaderHint: NodeId | null }
  /** The session was evicted; a retry might have been applied already, so it is never re-executed. */
  | { readonly _tag: "SessionExpired" }
  /** Refused before anything was appended or read (proposal.ts); nothing was done. */
  | { readonly _tag: "Rejected"; readonly rejection: RequestRejection }
  /** Too many requests in flight; nothing was done. */
  | { readonly _tag: "Busy" }
  /** Leadership was lost while the request was pending: it may or may not take effect. */
  | { readonly _tag: "Unknown" }

export type Output =
  | {
      readonly _tag: "Persist"
      readonly ioId: number
      readonly hardState?: HardState
      /** Drop every entry from this index on before appending. */
      readonly truncateFrom?: number
      readonly append: ReadonlyArray<Entry>
    }
  | { readonly _tag: "Send"; readonly to: NodeId; readonly message: Message }
  | { readonly _tag: "Reply"; readonly requestId: RequestId; readonly result: ClientResult }
  /**
   * An entry was applied to the state machine (for the host's observers; nothing to perform). `executed` is
   * false when a command was answered from its session instead of running again (or its session expired).
   */
  | { readonly _tag: "Applied"; readonly entry: Entry; readonly executed: boolean }
  /** The next clock reading at which this replica needs a Tick; the host may sleep until then. */
  | { readonly _tag: "WakeAt"; readonly atMs: number }

/**
 * Why a client's request was refused: its session or command does not fit the entry Schema, or its entry could
 * never fit a message or a WAL record (proposal.ts), or the application refuses the command or query as given
 * (an empty key, a negative amount: AppRejection). A closed union, typed to whoever answers the client.
 */
export type RequestRejection = AppRejection | ProposalRejection

export type Role = "follower" | "precandidate" | "candidate" | "leader"
