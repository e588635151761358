import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { encodeFrame, FrameReader, openFrame } from "./frame.ts"

const secret = "a-cluster-secret"
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
      encodeFrame(secret, { from: 1, to: 2 }, [JSON.stringify(heartbeat)]),
      encodeFrame(secret, { from: 1, to: 2, httpUrl: "http://127.0.0.1:1" }, [])
    ])
    const reader = new FrameReader(1 << 20)
    const bodies: Array<Buffer> = []
    for (let offset = 0; offset < frames.length; offset += 7) {
      const pushed = reader.push(frames.subarray(offset, offset + 7))
      if (pushed === "BadLength") throw new Error("unexpected BadLength")
      bodies.push(...pushed)
    }
    expect(bodies).toHaveLength(2)
    const first = openFrame(secret, bodies[0] as Buffer)
    expect(first._tag).toBe("Accepted")
    if (first._tag === "Accepted") expect(first.messages.map(Either.isRight)).toEqual([true])
  })

  it("refuses a frame under another secret, and one whose payload was altered", () => {
    const frame = encodeFrame("another-secret", { from: 1, to: 2 }, [JSON.stringify(heartbeat)])
    expect(openFrame(secret, frame.subarray(4))._tag).toBe("BadHmac")
    const altered = Buffer.from(encodeFrame(secret, { from: 1, to: 2 }, [JSON.stringify(heartbeat)]))
    altered[altered.length - 3] = (altered[altered.length - 3] ?? 0) ^ 1
    expect(openFrame(secret, altered.subarray(4))._tag).toBe("BadHmac")
  })

  it("turns an authentic but undecodable message into a reason, and refuses an oversized length prefix", () => {
    const verdict = openFrame(
      secret,
      encodeFrame(secret, { from: 1, to: 2 }, [JSON.stringify({ _tag: "RequestVote", term: -1 })]).subarray(4)
    )
    expect(verdict._tag === "Accepted" && Either.isLeft(verdict.messages[0] as Either.Either<unknown, string>)).toBe(
      true
    )
    const huge = Buffer.alloc(8)
    huge.writeUInt32BE(1 << 30, 0)
    expect(new FrameReader(1 << 20).push(huge)).toBe("BadLength")
  })
})
