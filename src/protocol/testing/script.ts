/**
 * Runs an interaction script (see interaction.ts) and checks its `expect` lines. A failed expectation
 * throws with the script's line number and the recent transcript, so a failing scenario reads like a story.
 *
 *   expect leader <node>                  exactly one leader, and it is <node>
 *   expect leaders <count>                how many replicas believe they lead
 *   expect role <node> <role>             expect term <node> <n>          expect voted <node> <n|nil>
 *   expect commit <node> <n>              expect applied <node> <n>       expect log <node> <i:t i:t ...>
 *   expect durable-voted <node> <n|nil>   expect durable-term <node> <n>
 *   expect reply <request> <tag> [value]  expect no-reply <request>
 *   expect queued <from> <to> <tag> [n]   a message of that tag is queued (n: how many)
 *   expect rejected <node> <reason> <n>   the replica counted n messages rejected for <reason>
 *   expect last-rejection <node> <line>   the latest rejection as describeRejection renders it (or `none`)
 *   expect value <node> <key> <value|nil> the applied state's value
 *   expect recovering <node> <true|false> the replica is repairing a damaged disk
 *   expect oversized-drops <n>            messages dropped for exceeding `frame=`
 *   expect largest-message-at-most <bytes>
 */
import { Data } from "effect"
import type { BugName } from "../bugs.ts"
import type { AppCommand } from "../../app/machine.ts"
import type { NodeId } from "../entry.ts"
import { describeRejection, type RejectionTag } from "../rejection.ts"
import { Interaction } from "./interaction.ts"

/** A script that does not parse or whose expectation fails; the message names the line. */
class ScriptFailure extends Data.TaggedError("ScriptFailure")<{ readonly message: string }> {}

const parseNode = (word: string | undefined): NodeId => {
  const value = Number(word)
  if (!Number.isInteger(value)) throw new ScriptFailure({ message: `expected a node id, got "${word}"` })
  return value
}

const parseTarget = (word: string | undefined): NodeId | "*" =>
  word === undefined || word === "*" ? "*" : parseNode(word)

const parseNullable = (word: string | undefined): string | null => (word === "nil" ? null : (word ?? null))

const nodesOf = (cluster: Interaction, word: string | undefined): ReadonlyArray<NodeId> =>
  word === "all" ? [...cluster.replicas.keys()] : [parseNode(word)]

const parseCommand = (words: ReadonlyArray<string>): AppCommand => {
  const [verb, key = "", first, second] = words
  switch (verb) {
    case "put":
      return { _tag: "Put", key, value: first ?? "" }
    case "get":
      return { _tag: "Get", key }
    case "delete":
      return { _tag: "Delete", key }
    case "cas":
      return { _tag: "Cas", key, expected: parseNullable(first), value: second ?? "" }
    default:
      throw new ScriptFailure({ message: `unknown command "${verb}"` })
  }
}

const check = (condition: boolean, message: string): void => {
  if (!condition) throw new ScriptFailure({ message })
}

const expectReply = (cluster: Interaction, words: ReadonlyArray<string>): void => {
  const [, request, tag, value] = words
  const result = cluster.replies.get(Number(request))
  check(result !== undefined, `request ${request} has no reply`)
  check(result?._tag === tag, `request ${request}: expected ${tag}, got ${JSON.stringify(result)}`)
  if (value === undefined || result === undefined) return
  const shown =
    result._tag === "Applied" || result._tag === "Read"
      ? JSON.stringify(result.result)
      : result._tag === "NotLeader"
        ? String(result.leaderHint)
        : JSON.stringify(result)
  check(shown.includes(value), `request ${request}: expected ${value} in ${shown}`)
}

const expectation = (cluster: Interaction, words: ReadonlyArray<string>): void => {
  const [what, first, second, third, fourth] = words
  const state = () => cluster.replica(parseNode(first)).state
  const equal = (actual: unknown, expected: unknown, label: string) =>
    check(String(actual) === String(expected), `${label}: expected ${expected}, got ${actual}`)
  switch (what) {
    case "leader": {
      const leaders = cluster.leaders()
      return check(
        leaders.length === 1 && leaders[0] === parseNode(first),
        `expected leader ${first}, leaders are [${leaders}]`
      )
    }
    case "leaders":
      return equal(cluster.leaders().length, first, "leader count")
    case "role":
      return equal(state().role, second, `role of ${first}`)
    case "term":
      return equal(state().term, second, `term of ${first}`)
    case "voted":
      return equal(state().votedFor ?? "nil", second, `votedFor of ${first}`)
    case "durable-voted":
      return equal(
        cluster.replica(parseNode(first)).durable.hardState.votedFor ?? "nil",
        second,
        `durable votedFor of ${first}`
      )
    case "durable-term":
      return equal(cluster.replica(parseNode(first)).durable.hardState.term, second, `durable term of ${first}`)
    case "commit":
      return equal(state().commitIndex, second, `commitIndex of ${first}`)
    case "applied":
      return equal(state().lastApplied, second, `lastApplied of ${first}`)
    case "log":
      return equal(cluster.logOf(parseNode(first)), words.slice(2).join(" "), `log of ${first}`)
    case "reply":
      return expectReply(cluster, words)
    case "no-reply":
      return check(
        !cluster.replies.has(Number(first)),
        `request ${first} was answered: ${JSON.stringify(cluster.replies.get(Number(first)))}`
      )
    case "queued": {
      const count = cluster.network.filter(
        (flight) => flight.from === parseNode(first) && flight.to === parseNode(second) && flight.message._tag === third
      ).length
      return fourth === undefined
        ? check(count > 0, `no ${third} queued ${first}->${second}`)
        : equal(count, fourth, `${third} queued ${first}->${second}`)
    }
    case "rejected":
      return equal(state().stats.rejections[second as RejectionTag] ?? 0, third, `${second} rejections at ${first}`)
    case "last-rejection": {
      const last = state().stats.lastRejection
      return equal(
        last === null ? "none" : describeRejection(last),
        words.slice(2).join(" "),
        `last rejection at ${first}`
      )
    }
    case "oversized-drops":
      return equal(cluster.oversizedDrops, first, "messages dropped for exceeding the frame")
    case "largest-message-at-most":
      return check(
        cluster.largestMessageBytes <= Number(first),
        `the largest message was ${cluster.largestMessageBytes} bytes, over ${first}`
      )
    case "recovering":
      return equal(state().recovering, second, `recovering of ${first}`)
    case "value": {
      const value = state().app.kv.get(second ?? "") ?? null
      return equal(value ?? "nil", third, `value of ${second} at ${first}`)
    }
    default:
      throw new ScriptFailure({ message: `unknown expectation "${what}"` })
  }
}

const perform = (cluster: Interaction, words: ReadonlyArray<string>, rawLine: string): void => {
  const [verb, first, second, third] = words
  switch (verb) {
    case "campaign":
      return cluster.campaign(parseNode(first))
    case "tick":
      return nodesOf(cluster, first).forEach((id) => cluster.tick(id, Number(second)))
    case "persist":
      return nodesOf(cluster, first).forEach((id) => cluster.persist(id))
    case "deliver":
      cluster.deliver(parseTarget(first), parseTarget(second))
      return
    case "drop":
      cluster.deliver(parseTarget(first), parseTarget(second), true)
      return
    case "stabilize":
      return cluster.stabilize()
    case "propose":
      cluster.request(parseNode(first), {
        _tag: "Command",
        session: { clientId: second ?? "", sequence: Number(third) },
        command: parseCommand(words.slice(4))
      })
      return
    case "read":
      cluster.request(parseNode(first), { _tag: "Query", query: { _tag: "Read", key: second ?? "" } })
      return
    case "complete":
      return cluster.input(parseNode(first), { _tag: "PersistDone", ioId: Number(second) })
    case "crash":
      return cluster.crash(parseNode(first))
    case "lose":
      return cluster.loseSuffix(parseNode(first), Number(second))
    case "partition": {
      const left = (first ?? "").split(",").map(parseNode)
      const right = (second ?? "").split(",").map(parseNode)
      for (const a of left) for (const b of right) cluster.cut.add(`${a}>${b}`).add(`${b}>${a}`)
      return
    }
    case "heal":
      return cluster.cut.clear()
    case "inject":
      return cluster.inject(parseNode(first), parseNode(second), JSON.parse(rawLine.split(/\s+/).slice(3).join(" ")))
    case "expect":
      return expectation(cluster, words.slice(1))
    default:
      throw new ScriptFailure({ message: `unknown command "${verb}"` })
  }
}

const parseCluster = (words: ReadonlyArray<string>): Interaction => {
  const options: {
    heartbeatMs?: number
    electionMs?: number
    batch?: number
    sessions?: number
    messageBytes?: number
    entryBytes?: number
    frameBytes?: number
    bugs?: Array<BugName>
  } = {}
  for (const option of words.slice(2)) {
    const [name, value = ""] = option.split("=")
    if (name === "heartbeat") options.heartbeatMs = Number(value)
    else if (name === "election") options.electionMs = Number(value)
    else if (name === "batch") options.batch = Number(value)
    else if (name === "sessions") options.sessions = Number(value)
    else if (name === "messagebytes") options.messageBytes = Number(value)
    else if (name === "entrybytes") options.entryBytes = Number(value)
    else if (name === "frame") options.frameBytes = Number(value)
    else if (name === "bugs") options.bugs = value.split(",") as Array<BugName>
    else throw new ScriptFailure({ message: `unknown cluster option "${option}"` })
  }
  return new Interaction(Number(words[1]), options)
}

/** Runs a script; throws a ScriptFailure naming the line when an expectation fails. */
export const runScript = (text: string): Interaction => {
  let cluster: Interaction | undefined
  const lines = text.split("\n")
  lines.forEach((rawLine, position) => {
    const line = rawLine.replace(/#.*$/, "").trim()
    if (line.length === 0) return
    const words = line.split(/\s+/)
    try {
      if (words[0] === "cluster") cluster = parseCluster(words)
      else if (cluster === undefined) throw new ScriptFailure({ message: "the script must start with `cluster N`" })
      else perform(cluster, words, line)
    } catch (error) {
      const recent = cluster?.transcript.slice(-12).join("\n    ") ?? ""
      const message = error instanceof Error ? error.message : String(error)
      throw new ScriptFailure({ message: `line ${position + 1}: ${line}\n  ${message}\n  recent:\n    ${recent}` })
    }
  })
  if (cluster === undefined) throw new ScriptFailure({ message: "empty script" })
  return cluster
}
