import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { encodeFrame, FrameReader, openFrame } from "./frame.ts"

const frameKey = Buffer.alloc(32, 7)
const otherKey = Buffer.alloc(32, 8)
const heartbeat = {
  _tag: "AppendEntries",
  term: 3,
  prevLogIndex: 0,
  prevLogTerm: 0,
  entries: [],
  leaderCommit: 0,
  readContext: 1
}

describe("peer frames", () => {
  it("round-trips messages split across arbitrary chunks", () => {
    const frames = Buffer.concat([
      encodeFrame(frameKey, 0, { from: 1, to: 2 }, [JSON.stringify(heartbeat)]),
      encodeFrame(frameKey, 1, { from: 1, to: 2, httpUrl: "http://127.0.0.1:1" }, [])
    ])
    const reader = new FrameReader(1 << 20)
    const bodies: Array<Buffer> = []
    for (let offset = 0; offset < frames.length; offset += 7) {
      const pushed = reader.push(frames.subarray(offset, offset + 7))
      if (typeof pushed === "string") throw new Error(`unexpected ${pushed}`)
      bodies.push(...pushed)
    }
    expect(bodies).toHaveLength(2)
    const first = openFrame(frameKey, 0, bodies[0] as Buffer)
    expect(first._tag).toBe("Accepted")
    if (first._tag === "Accepted") expect(first.messages.map(Either.isRight)).toEqual([true])
    expect(openFrame(frameKey, 1, bodies[1] as Buffer)._tag).toBe("Accepted")
  })

  it("refuses a frame sent again on its connection (out of sequence), and one from another connection's key", () => {
    const frame = encodeFrame(frameKey, 0, { from: 1, to: 2 }, [JSON.stringify(heartbeat)]).subarray(4)
    expect(openFrame(frameKey, 0, frame)._tag).toBe("Accepted")
    expect(openFrame(frameKey, 1, frame)).toEqual({ _tag: "Replayed", sequence: 0, expected: 1 })
    expect(openFrame(otherKey, 0, frame)._tag).toBe("BadHmac")
    const renumbered = Buffer.from(frame)
    renumbered[32 + 7] = 1
    expect(openFrame(frameKey, 1, renumbered)._tag).toBe("BadHmac")
  })

  it("refuses a frame under another key, and one whose payload was altered", () => {
    const frame = encodeFrame(otherKey, 0, { from: 1, to: 2 }, [JSON.stringify(heartbeat)])
    expect(openFrame(frameKey, 0, frame.subarray(4))._tag).toBe("BadHmac")
    const altered = Buffer.from(encodeFrame(frameKey, 0, { from: 1, to: 2 }, [JSON.stringify(heartbeat)]))
    altered[altered.length - 3] = (altered[altered.length - 3] ?? 0) ^ 1
    expect(openFrame(frameKey, 0, altered.subarray(4))._tag).toBe("BadHmac")
  })

  it("turns an authentic but undecodable message into a reason, and refuses an oversized length prefix", () => {
    const verdict = openFrame(
      frameKey,
      0,
      encodeFrame(frameKey, 0, { from: 1, to: 2 }, [JSON.stringify({ _tag: "RequestVote", term: -1 })]).subarray(4)
    )
    expect(verdict._tag === "Accepted" && Either.isLeft(verdict.messages[0] as Either.Either<unknown, string>)).toBe(
      true
    )
    const huge = Buffer.alloc(8)
    huge.writeUInt32BE(1 << 30, 0)
    expect(new FrameReader(1 << 20).push(huge)).toBe("Oversized")
    huge.writeUInt32BE(39, 0)
    expect(new FrameReader(1 << 20).push(huge)).toBe("BadLength")
  })

  it("refuses a message whose tag is an object with a toString that is not a function, rather than throwing", () => {
    // The Schema's union parser calls String() on the tag; this object makes String() throw (schemaIssue.ts).
    const messages = ['{"_tag":{"toString":1}}', '{"_tag":{"toString":[],"valueOf":{}}}', '{"toString":1}']
    const verdict = openFrame(frameKey, 0, encodeFrame(frameKey, 0, { from: 1, to: 2 }, messages).subarray(4))
    expect(verdict._tag).toBe("Accepted")
    if (verdict._tag !== "Accepted") return
    expect(verdict.messages.map((message) => Either.isLeft(message))).toEqual([true, true, true])
    expect(Either.getLeft(verdict.messages[0] as Either.Either<unknown, string>)).toMatchObject({
      value: expect.stringMatching(/cannot be decoded/)
    })
  })
})
