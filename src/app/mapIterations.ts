/**
 * Test support: counts how often any immutable Map is iterated while `run` runs. Every way of walking a Map
 * (for…of, keys(), forEach, reduce, spreading) goes through its `__iterate` or `__iterator`; lookups and updates
 * do not. A bounded table whose eviction scans the whole table shows up here as one iteration per command, so a
 * test can catch a return to O(n) eviction without measuring time (issue 13, F4).
 */
import { Map as PersistentMap } from "immutable"

interface Iterable {
  __iterate: (...parameters: Array<unknown>) => unknown
  __iterator: (...parameters: Array<unknown>) => unknown
}

export const countMapIterations = <Result>(run: () => Result): { readonly result: Result; readonly count: number } => {
  const prototype = Object.getPrototypeOf(PersistentMap()) as Iterable
  const iterate = prototype.__iterate
  const iterator = prototype.__iterator
  let count = 0
  prototype.__iterate = function (this: unknown, ...parameters) {
    count += 1
    return iterate.apply(this, parameters)
  }
  prototype.__iterator = function (this: unknown, ...parameters) {
    count += 1
    return iterator.apply(this, parameters)
  }
  try {
    return { result: run(), count }
  } finally {
    prototype.__iterate = iterate
    prototype.__iterator = iterator
  }
}
