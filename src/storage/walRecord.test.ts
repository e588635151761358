import { describe, expect, it } from "vitest"
import type { Entry } from "../protocol/entry.ts"
import { Schema } from "effect"
import { encodePersist, encodeWalRecordText, replayWalRecords, WalRecord } from "./walRecord.ts"

const entry = (index: number, term: number, value = "v"): Entry => ({
  index,
  term,
  payload: {
    _tag: "Command",
    session: { clientId: "c", sequence: index },
    command: { _tag: "Put", key: `k${index}`, value }
  }
})

describe("WAL records", () => {
  it("replays appends, truncations and the latest hard state in order", () => {
    const payloads = [
      ...encodePersist({ hardState: { term: 1, votedFor: 0 }, append: [entry(1, 1), entry(2, 1), entry(3, 1)] }),
      ...encodePersist({ hardState: { term: 2, votedFor: 1 }, truncateFrom: 2, append: [entry(2, 2)] })
    ]
    const replay = replayWalRecords(payloads)
    expect(replay.badRecordPosition).toBeUndefined()
    expect(replay.hardState).toEqual({ term: 2, votedFor: 1 })
    expect(replay.log.map((logged) => `${logged.index}:${logged.term}`)).toEqual(["1:1", "2:2"])
  })

  it("splits a large Persist over several records that replay to the same log", () => {
    const large = Array.from({ length: 40 }, (_, position) => entry(position + 1, 1, "x".repeat(60 * 1024)))
    const payloads = encodePersist({ hardState: { term: 1, votedFor: null }, append: large })
    expect(payloads.length).toBeGreaterThan(1)
    for (const payload of payloads) expect(payload.length).toBeLessThan(1 << 20)
    expect(replayWalRecords(payloads).log).toHaveLength(40)
  })

  it("stops before a record that does not decode or does not follow the log", () => {
    const good = encodePersist({ append: [entry(1, 1)] })
    const gap = encodePersist({ append: [entry(5, 1)] })
    const replay = replayWalRecords([...good, new TextEncoder().encode("{}x"), ...gap])
    expect(replay.badRecordPosition).toBe(1)
    expect(replay.log).toHaveLength(1)
    expect(replayWalRecords([...good, ...gap]).badRecordPosition).toBe(1)
  })

  it("writes JSON of the value, which is exactly its Schema encoding", () => {
    const record: WalRecord = { hardState: { term: 3, votedFor: null }, truncateFrom: 2, append: [entry(2, 3, "é→")] }
    expect(encodeWalRecordText(record)).toBe(JSON.stringify(Schema.encodeSync(WalRecord)(record)))
  })
})
