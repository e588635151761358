import { Either } from "effect"
import { describe, expect, test } from "vitest"
import { parseJepsenEtcd } from "./jepsenEtcd.ts"
import { parseManifest } from "./manifest.ts"
import { parsePorcupineKv } from "./porcupineKv.ts"
import { parseHistory } from "./index.ts"

describe("the porcupine-kv parser", () => {
  test("reads invocations and completions in line order", () => {
    // Arrange
    const text = [
      '{:process 0, :type :invoke, :f :put, :key "k", :value "a b"}',
      '{:process 1, :type :invoke, :f :get, :key "k", :value nil}',
      '{:process 0, :type :ok, :f :put, :key "k", :value "a b"}',
      '{:process 1, :type :ok, :f :get, :key "k", :value "a b"}'
    ].join("\n")
    // Act
    const operations = Either.getOrThrow(parsePorcupineKv(text))
    // Assert
    expect(operations).toEqual([
      { id: 0, process: 0, input: { f: "put", key: "k", value: "a b" }, output: null, callTime: 1, returnTime: 3 },
      { id: 1, process: 1, input: { f: "get", key: "k", value: "" }, output: "a b", callTime: 2, returnTime: 4 }
    ])
  })

  test("a malformed line is reported with its line number", () => {
    const text = '{:process 0, :type :invoke, :f :get, :key "k", :value nil}\n\n{:process x}'
    const result = parsePorcupineKv(text)
    expect(Either.isLeft(result) && result.left.line).toBe(3)
  })

  test("a completion of a different function is reported", () => {
    const text =
      '{:process 0, :type :invoke, :f :get, :key "k", :value nil}\n{:process 0, :type :ok, :f :put, :key "k", :value "v"}'
    const result = parsePorcupineKv(text)
    expect(Either.isLeft(result) && result.left.message).toContain("did not invoke")
  })
})

describe("the jepsen-etcd parser", () => {
  test("maps cas failures to a definite outcome and :info to an unknown one", () => {
    // Arrange
    const text = [
      "INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2]",
      "INFO  jepsen.util - 1\t:invoke\t:write\t3",
      "INFO  jepsen.util - 0\t:fail\t:cas\t[1 2]",
      "INFO  jepsen.util - 1\t:info\t:write\t:timed-out"
    ].join("\n")
    // Act
    const operations = Either.getOrThrow(parseJepsenEtcd(text))
    // Assert
    expect(operations[0]).toMatchObject({
      input: { f: "cas", from: 1, to: 2 },
      output: { f: "cas", succeeded: false },
      returnTime: 3
    })
    expect(operations[1]).toMatchObject({ input: { f: "write", value: 3 }, returnTime: Infinity })
  })

  test("a value that does not fit the function is reported with its line number", () => {
    const result = parseJepsenEtcd("INFO jepsen.util - 0 :invoke :write [1 2]")
    expect(Either.isLeft(result) && result.left).toMatchObject({ line: 1, message: expect.stringContaining(":write") })
  })

  test("an unknown event type is rejected by the line schema", () => {
    const result = parseJepsenEtcd("INFO jepsen.util - 0 :begin :read nil")
    expect(Either.isLeft(result) && result.left.line).toBe(1)
  })

  test("a register history that reads a value nobody wrote is not linearizable", () => {
    const text = "INFO jepsen.util - 0 :invoke :read nil\nINFO jepsen.util - 0 :ok :read 7"
    const history = Either.getOrThrow(parseHistory("jepsen-etcd", text))
    expect(history.check().verdict).toBe("not linearizable")
  })
})

describe("the manifest parser", () => {
  test("rejects an unknown verdict", () => {
    const text = "file\tformat\toperations\texpected_verdict\tporcupine_median_ms\na.log\tjepsen-etcd\t3\tmaybe\t0.1"
    const result = parseManifest(text)
    expect(Either.isLeft(result) && result.left.line).toBe(2)
  })
})
