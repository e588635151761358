/**
 * `faultline serve`'s replica knob flags: each accepts exactly the range src/schedule's ReplicaKnobs Schema
 * accepts, so every knob a counterexample carries can be given to a real node (the Docker replay does), and a
 * malformed or unknown one is refused with a reason.
 */
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { ReplicaKnobs } from "../schedule/index.ts"
import { UsageError } from "../options.ts"
import { parseServeOptions, replicaKnobFlags } from "./serveOptions.ts"

const base = [
  "--id",
  "0",
  "--peers",
  "0=127.0.0.1:7000,1=127.0.0.1:7001,2=127.0.0.1:7002",
  "--http-port",
  "8080",
  "--data-dir",
  "/tmp/faultline-n0",
  "--cluster-secret",
  "secret-123"
]

const schemaAccepts = (knob: string, value: number): boolean =>
  Either.isRight(Schema.decodeUnknownEither(ReplicaKnobs)({ [knob]: value }))

const parse = (...extra: ReadonlyArray<string>) => parseServeOptions([...base, ...extra], {})

describe("faultline serve's replica knob flags", () => {
  it("every ReplicaKnobs field has a flag, with the Schema's bounds", () => {
    // Arrange
    const schemaKnobs = Object.keys(ReplicaKnobs.fields).sort()
    // Act / Assert
    expect(Object.keys(replicaKnobFlags).sort()).toEqual(schemaKnobs)
    for (const [knob, { min, max }] of Object.entries(replicaKnobFlags)) {
      expect([schemaAccepts(knob, min - 1), schemaAccepts(knob, min), schemaAccepts(knob, max)]).toEqual([
        false,
        true,
        true
      ])
      expect(schemaAccepts(knob, max + 1)).toBe(false)
    }
  })

  it("each flag accepts its bounds and refuses one past them", () => {
    for (const { flag, min, max } of Object.values(replicaKnobFlags)) {
      // The other end of the election timeout, and a shorter heartbeat, so that each bound is valid on its own.
      const others: Readonly<Record<string, ReadonlyArray<string>>> = {
        "election-timeout-ms": ["--election-timeout-max-ms", "20000", "--heartbeat-interval-ms", "10"],
        "election-timeout-max-ms": ["--election-timeout-ms", "100", "--heartbeat-interval-ms", "10"],
        "heartbeat-interval-ms": ["--election-timeout-ms", "1001"]
      }
      const withMax = others[flag] ?? []
      expect(() => parse(`--${flag}`, String(min), ...withMax)).not.toThrow()
      expect(() => parse(`--${flag}`, String(max), ...withMax)).not.toThrow()
      expect(() => parse(`--${flag}`, String(min - 1))).toThrow(UsageError)
      expect(() => parse(`--${flag}`, String(max + 1))).toThrow(new RegExp(`--${flag} should be an integer`))
    }
  })

  it("the knobs given reach the options; the others stay undefined for the node's defaults", () => {
    // Act
    const options = parse(
      "--heartbeat-interval-ms",
      "20",
      "--election-timeout-ms",
      "150",
      "--election-timeout-max-ms",
      "300",
      "--max-entries-per-message",
      "1",
      "--max-inflight-batches",
      "2",
      "--max-sessions",
      "3"
    )
    const defaults = parse()
    // Assert
    expect(options).toMatchObject({
      heartbeatIntervalMs: 20,
      electionTimeoutMs: 150,
      electionTimeoutMaxMs: 300,
      maxEntriesPerMessage: 1,
      maxInflightBatches: 2,
      maxSessions: 3
    })
    expect([defaults.electionTimeoutMaxMs, defaults.maxEntriesPerMessage, defaults.maxSessions]).toEqual([
      undefined,
      undefined,
      undefined
    ])
  })

  it("a replay's seed and start instant reach the options; without them the node draws its own and starts at once", () => {
    // Act
    const options = parse("--random-seed", "2147483647", "--start-at-epoch-ms", "1796273312073")
    const defaults = parse()
    // Assert
    expect(options).toMatchObject({ randomSeed: 2_147_483_647, startAtEpochMs: 1_796_273_312_073 })
    expect([defaults.randomSeed, defaults.startAtEpochMs]).toEqual([undefined, undefined])
    expect(() => parse("--random-seed", "2147483648")).toThrow(
      /--random-seed should be an integer from 0 to 2147483647/
    )
    expect(() => parse("--start-at-epoch-ms", "soon")).toThrow(/--start-at-epoch-ms should be an integer/)
  })

  it("malformed, unknown and inconsistent knobs are refused with a reason", () => {
    expect(() => parse("--max-sessions", "12x")).toThrow(/--max-sessions should be an integer from 1 to 65536/)
    expect(() => parse("--max-sessions", "-1")).toThrow(/--max-sessions/)
    expect(() => parse("--max-sessions", "1.5")).toThrow(UsageError)
    expect(() => parse("--max-session", "4")).toThrow(/did you mean --max-sessions/)
    expect(() => parse("--max-inflight-batches")).toThrow(UsageError)
    expect(() => parse("--election-timeout-ms", "500", "--election-timeout-max-ms", "400")).toThrow(
      /--election-timeout-max-ms 400 should be at least the minimum election timeout 500/
    )
    expect(() => parse("--election-timeout-max-ms", "900")).toThrow(/at least the minimum election timeout 1000/)
    expect(() => parse("--heartbeat-interval-ms", "200", "--election-timeout-ms", "200")).toThrow(
      /--heartbeat-interval-ms 200 should be less than the minimum election timeout 200/
    )
  })
})
