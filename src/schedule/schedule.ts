/**
 * THE schedule: one plain-data description of a run, with two interpreters (the simulator, src/sim, and the
 * Docker replay, containers/replay). It lives apart from both so that neither imports the other. A schedule is an Effect Schema type so that a counterexample file is validated when it is loaded.
 *
 * Continuous behaviour (message delay, loss, duplication, reordering, fsync latency, torn writes) is drawn
 * from the fault profile by the seeded PRNG; discrete faults and client operations are timed steps, so that a
 * shrunk schedule reads like a story: "at 1200 ms crash n2; at 1500 ms client 0 put(k1, v3)".
 */
import { Schema } from "effect"
import { KvCommand } from "../app/kv/command.ts"
import { LedgerCommand } from "../app/ledger/command.ts"
import { AppQuery } from "../app/machine.ts"

export const scheduleVersion = 1
export const replicasMax = 7
/** Enough for the ledger seed's 100 concurrent withdrawals, each from its own client. */
export const clientsMax = 128
export const stepsMax = 200_000

const Millis = Schema.NonNegativeInt
const Node = Schema.Int.pipe(Schema.between(0, replicasMax - 1))
const Probability = Schema.Number.pipe(Schema.between(0, 1))

export const NetworkProfile = Schema.Struct({
  delayMinMs: Millis,
  delayMaxMs: Millis,
  lossProbability: Probability,
  duplicateProbability: Probability,
  /** A reordered message is held back by up to reorderDelayMaxMs more, so later ones overtake it. */
  reorderProbability: Probability,
  reorderDelayMaxMs: Millis,
  /**
   * A long tail: a held-back message waits up to holdBackMaxMs more (seconds, not milliseconds), so a response
   * can arrive after an election has moved the cluster on. Absent in older files: none held back.
   */
  holdBackProbability: Schema.optionalWith(Probability, { exact: true }),
  holdBackMaxMs: Schema.optionalWith(Millis.pipe(Schema.lessThanOrEqualTo(60_000)), { exact: true })
})
export type NetworkProfile = typeof NetworkProfile.Type

export const DiskProfile = Schema.Struct({
  fsyncMinMs: Millis,
  fsyncMaxMs: Millis,
  /** The chance that a crash tears the write in flight (a prefix of it reaches the disk). */
  tornWriteProbability: Probability
})
export type DiskProfile = typeof DiskProfile.Type

export const ClientProfile = Schema.Struct({
  /** A request unanswered for this long is retried (same session and sequence) at another replica. */
  timeoutMs: Millis,
  /** After this many attempts the client gives up and records an unknown outcome. */
  attemptsMax: Schema.Int.pipe(Schema.between(1, 1000))
})
export type ClientProfile = typeof ClientProfile.Type

export const FaultProfile = Schema.Struct({
  network: NetworkProfile,
  disk: DiskProfile,
  clients: ClientProfile
})
export type FaultProfile = typeof FaultProfile.Type

/**
 * Replica knobs a schedule may set (the simulator's replicas; `faultline serve` exposes only the timeouts).
 * Bounded so that a file cannot ask for a replica that cannot work: a batch of one entry (Raft Figure 8 needs
 * it), a session table of one, an election timeout well above the heartbeat interval.
 */
export const ReplicaKnobs = Schema.Struct({
  maxEntriesPerMessage: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1024)), { exact: true }),
  maxInflightBatches: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 64)), { exact: true }),
  maxSessions: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 65_536)), { exact: true }),
  heartbeatIntervalMs: Schema.optionalWith(Schema.Int.pipe(Schema.between(10, 1000)), { exact: true }),
  electionTimeoutMinMs: Schema.optionalWith(Schema.Int.pipe(Schema.between(100, 10_000)), { exact: true }),
  electionTimeoutMaxMs: Schema.optionalWith(Schema.Int.pipe(Schema.between(100, 20_000)), { exact: true })
})
export type ReplicaKnobs = typeof ReplicaKnobs.Type

export const Limits = Schema.Struct({
  simulatedMs: Schema.Int.pipe(Schema.between(1, 7 * 24 * 3600 * 1000)),
  events: Schema.Int.pipe(Schema.between(1, 100_000_000))
})
export type Limits = typeof Limits.Type

/** A key-value command, a ledger command, or a ReadIndex read of a key or of an account. */
export const ClientOperation = Schema.Union(KvCommand, LedgerCommand, AppQuery)
export type ClientOperation = typeof ClientOperation.Type

/** `bitflipTail` flips a bit in the last synced record, which a crash cannot have torn (issue 13). */
export const DiskFault = Schema.Literal("bitflip", "bitflipTail", "misdirected", "latent", "torn", "slow")
export type DiskFault = typeof DiskFault.Type

/**
 * A client operation. `replica` names the replica the request is sent to (a follower read is then a follower
 * read, as a client talking to one node's HTTP API makes it): the client stays with that replica until it answers
 * with a redirect (NotLeader naming another leader, the node's 307) or an attempt times out, then finds the leader
 * as usual. Absent (older files, most generators): the client's own routing from the first attempt.
 */
export const ClientStep = Schema.TaggedStruct("Client", {
  at: Millis,
  client: Schema.Int.pipe(Schema.between(0, clientsMax - 1)),
  op: ClientOperation,
  replica: Schema.optionalWith(Node, { exact: true })
})
/**
 * Whom a process fault hits: a replica by number, or a role resolved when the step runs — "leader" (the
 * live leader of the highest term), "follower" (the lowest-numbered live replica that does not lead), or
 * "crashed" (the replica crashed most recently that is still down). Scripts such as "kill the leader" need
 * them, and the Docker replay resolves them the same way from /status.
 */
export const Target = Schema.Union(Node, Schema.Literal("leader", "follower", "crashed"))
export type Target = typeof Target.Type

export const CrashStep = Schema.TaggedStruct("Crash", { at: Millis, node: Target })
export const RestartStep = Schema.TaggedStruct("Restart", { at: Millis, node: Target })
export const PauseStep = Schema.TaggedStruct("Pause", { at: Millis, node: Target, forMs: Millis })
/** Cuts every link to and from one replica (both directions). */
export const IsolateStep = Schema.TaggedStruct("Isolate", { at: Millis, node: Target })
export const PartitionStep = Schema.TaggedStruct("Partition", {
  at: Millis,
  /** Directed links cut: [from, to] drops every message from `from` to `to`. */
  cut: Schema.Array(Schema.Tuple(Node, Node))
})
export const HealStep = Schema.TaggedStruct("Heal", { at: Millis })
export const ClogStep = Schema.TaggedStruct("Clog", { at: Millis, from: Node, to: Node, forMs: Millis })
export const CorruptStep = Schema.TaggedStruct("Corrupt", { at: Millis, node: Node, kind: DiskFault })
export const ClockStep = Schema.TaggedStruct("Clock", {
  at: Millis,
  node: Node,
  offsetMs: Schema.Int.pipe(Schema.between(-3_600_000, 3_600_000)),
  driftPpm: Schema.Int.pipe(Schema.between(-500_000, 500_000))
})
export const ForgeStep = Schema.TaggedStruct("Forge", {
  at: Millis,
  /** The sender the forged message claims; may be a non-member. */
  from: Schema.Int.pipe(Schema.between(0, 1023)),
  to: Node,
  /** Anything at all: it is decoded with the Message Schema on arrival, like bytes from a socket. */
  message: Schema.Unknown
})

/**
 * A fault triggered by an event rather than a time: from `at` until `until`, the replica leading at `at` and
 * each replica that becomes leader after, `afterMs` later (if it still leads that term) crash it or cut all its links, and `forMs` after that
 * restart it or restore its links; at most `times` times, the first armed trigger in step order taking each
 * election. It may take out more than a minority (safety must hold regardless; `forMs` brings them back), but
 * always leaves one other replica in action: when every other is crashed or cut off by a trigger, it skips
 * that leader. Raft Figure 8 needs a leader cut off the moment it wins, before its
 * first AppendEntries reaches anyone; random timed faults almost never land there.
 */
export const OnLeaderStep = Schema.TaggedStruct("OnLeader", {
  at: Millis,
  until: Millis,
  action: Schema.Literal("crash", "isolate"),
  afterMs: Millis.pipe(Schema.lessThanOrEqualTo(60_000)),
  forMs: Millis.pipe(Schema.lessThanOrEqualTo(3_600_000)),
  times: Schema.Int.pipe(Schema.between(1, 1000))
})
export type OnLeaderStep = typeof OnLeaderStep.Type

export const Step = Schema.Union(
  ClientStep,
  CrashStep,
  RestartStep,
  PauseStep,
  PartitionStep,
  IsolateStep,
  HealStep,
  ClogStep,
  CorruptStep,
  ClockStep,
  ForgeStep,
  OnLeaderStep
)
export type Step = typeof Step.Type

export const Schedule = Schema.Struct({
  version: Schema.Literal(scheduleVersion),
  replicas: Schema.Int.pipe(Schema.between(1, replicasMax)),
  seed: Schema.Int,
  profile: FaultProfile,
  /** Replica knobs beyond the defaults (absent in older files: the defaults). */
  replicaConfig: Schema.optionalWith(ReplicaKnobs, { exact: true }),
  limits: Limits,
  steps: Schema.Array(Step).pipe(Schema.maxItems(stepsMax))
})
export type Schedule = typeof Schedule.Type

export const quietNetwork: NetworkProfile = {
  delayMinMs: 1,
  delayMaxMs: 5,
  lossProbability: 0,
  duplicateProbability: 0,
  reorderProbability: 0,
  reorderDelayMaxMs: 0
}

export const defaultProfile: FaultProfile = {
  network: quietNetwork,
  disk: { fsyncMinMs: 1, fsyncMaxMs: 3, tornWriteProbability: 0 },
  clients: { timeoutMs: 3000, attemptsMax: 20 }
}
