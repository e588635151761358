/**
 * The peer frame's fast path (openFrame takes a message of exactly its Schema's shape as parsed, see
 * protocol/exactShape.ts) must never accept what the Schema refuses, nor yield anything but what the Schema
 * decodes. Checked on messages generated from the Schema and on the same messages mutated, through openFrame.
 *
 * Effect's Arbitrary builds on its own fast-check (version 3), so this file uses that one's runner.
 */
import { Arbitrary, Either, FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import { isExactMessage, Message } from "../protocol/index.ts"
import { decodeUnknownEitherTotal } from "../schemaIssue.ts"
import { asJson, jsonMutations, mutateJson, type Json } from "../protocol/testing/jsonMutation.ts"
import { encodeFrame, lengthPrefixBytes, openFrame } from "./frame.ts"

const schemaDecode = decodeUnknownEitherTotal(Message)
const frameKey = Buffer.alloc(32, 3)
const messages = Arbitrary.make(Message).map(asJson)

/** What openFrame makes of one message, as the Either the transport turns into an input. */
const throughFrame = (message: Json): Either.Either<unknown, string> => {
  const frame = encodeFrame(frameKey, 0, { from: 0, to: 1 }, [JSON.stringify(message)])
  const verdict = openFrame(frameKey, 0, frame.subarray(lengthPrefixBytes))
  if (verdict._tag !== "Accepted" || verdict.messages.length !== 1)
    throw new Error(`frame not accepted: ${verdict._tag}`)
  return verdict.messages[0] as Either.Either<unknown, string>
}

const expectSameAsSchema = (message: Json): void => {
  const viaFrame = throughFrame(message)
  const schema = schemaDecode(JSON.parse(JSON.stringify(message)))
  expect(Either.isRight(viaFrame)).toBe(Either.isRight(schema))
  if (Either.isRight(viaFrame) && Either.isRight(schema)) expect(viaFrame.right).toEqual(schema.right)
  if (isExactMessage(message)) {
    expect(Either.isRight(schema), `the Schema refuses what the fast path took: ${JSON.stringify(message)}`).toBe(true)
    if (Either.isRight(schema)) expect(schema.right).toStrictEqual(message)
  }
}

describe("the peer message's fast path", () => {
  it("takes every message of its Schema's shape, as the Schema decodes it", () => {
    fc.assert(
      fc.property(messages, (message) => {
        expect(isExactMessage(message)).toBe(Either.isRight(schemaDecode(message)))
        expectSameAsSchema(message)
      }),
      { numRuns: 500 }
    )
  })

  it("agrees with the Schema on mutated messages: never accepts what it refuses", () => {
    fc.assert(
      fc.property(messages, fc.nat(), jsonMutations, (message, position, mutation) => {
        expectSameAsSchema(mutateJson(message, position, mutation))
      }),
      { numRuns: 5_000 }
    )
  })
})
