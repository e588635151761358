/**
 * The sequential key-value store: the contract that src/app/kv also follows, written separately so that the two
 * check each other. Keys and values are strings; an absent key reads as null where a value is reported.
 */
export type KvCommand =
  | { readonly _tag: "Put"; readonly key: string; readonly value: string }
  | { readonly _tag: "Get"; readonly key: string }
  | { readonly _tag: "Delete"; readonly key: string }
  /** Compare-and-set: succeeds when the current value (null when absent) equals `expected`. */
  | { readonly _tag: "Cas"; readonly key: string; readonly expected: string | null; readonly value: string }

export type KvResult =
  | { readonly _tag: "Ok"; readonly value: string | null }
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "CasMismatch"; readonly current: string | null }

export type KvStore = ReadonlyMap<string, string>

export const emptyKvStore: KvStore = new Map()

const done: KvResult = { _tag: "Ok", value: null }
const notFound: KvResult = { _tag: "NotFound" }

const withValue = (store: KvStore, key: string, value: string): KvStore => new Map(store).set(key, value)

const without = (store: KvStore, key: string): KvStore => {
  const copy = new Map(store)
  copy.delete(key)
  return copy
}

/** Applies one command; never mutates `store`. */
export const applyKv = (store: KvStore, command: KvCommand): { readonly store: KvStore; readonly result: KvResult } => {
  const current = store.get(command.key)
  switch (command._tag) {
    case "Put":
      return { store: withValue(store, command.key, command.value), result: done }
    case "Get":
      return { store, result: current === undefined ? notFound : { _tag: "Ok", value: current } }
    case "Delete":
      return current === undefined ? { store, result: notFound } : { store: without(store, command.key), result: done }
    case "Cas":
      if ((current ?? null) !== command.expected)
        return { store, result: { _tag: "CasMismatch", current: current ?? null } }
      return { store: withValue(store, command.key, command.value), result: done }
  }
}

export const kvResultsEqual = (left: KvResult, right: KvResult): boolean => {
  switch (left._tag) {
    case "Ok":
      return right._tag === "Ok" && left.value === right.value
    case "NotFound":
      return right._tag === "NotFound"
    case "CasMismatch":
      return right._tag === "CasMismatch" && left.current === right.current
  }
}

export const kvStoresEqual = (left: KvStore, right: KvStore): boolean => {
  if (left.size !== right.size) return false
  for (const [key, value] of left) if (right.get(key) !== value) return false
  return true
}

export const describeKvCommand = (command: KvCommand): string => {
  switch (command._tag) {
    case "Put":
      return `put(${JSON.stringify(command.key)}, ${JSON.stringify(command.value)})`
    case "Get":
      return `get(${JSON.stringify(command.key)})`
    case "Delete":
      return `delete(${JSON.stringify(command.key)})`
    case "Cas":
      return `cas(${JSON.stringify(command.key)}, ${JSON.stringify(command.expected)} → ${JSON.stringify(command.value)})`
  }
}

export const describeKvResult = (result: KvResult): string => {
  switch (result._tag) {
    case "Ok":
      return result.value === null ? "ok" : `ok ${JSON.stringify(result.value)}`
    case "NotFound":
      return "not found"
    case "CasMismatch":
      return `cas mismatch (current ${JSON.stringify(result.current)})`
  }
}

export const describeKvStore = (store: KvStore): string =>
  store.size === 0
    ? "{}"
    : `{ ${[...store]
        .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
        .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`)
        .join(", ")} }`
