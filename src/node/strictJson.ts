/**
 * JSON request bodies parsed strictly: `JSON.parse` silently keeps the last of two equal keys in an object, so
 * `{"amount": 1, "amount": 1000000}` would run as a deposit of a million while a log or proxy that reads the first
 * key sees one. A body with a duplicate key is refused instead of guessed at (issue #13).
 */

export type StrictJson =
  | { readonly _tag: "Parsed"; readonly value: unknown }
  | { readonly _tag: "Invalid"; readonly reason: string }

/** Parses `text` as JSON and refuses it when any object in it names the same key twice. */
export const parseStrictJson = (text: string): StrictJson => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { _tag: "Invalid", reason: `the body is not JSON: ${String((error as Error).message).slice(0, 200)}` }
  }
  const duplicate = firstDuplicateKey(text)
  if (duplicate !== undefined)
    return { _tag: "Invalid", reason: `the body names the key ${JSON.stringify(duplicate)} twice` }
  return { _tag: "Parsed", value }
}

/**
 * The first key that occurs twice in one object of `text`, which must already be valid JSON (so the scan need not
 * check the grammar). One pass over the text; the stack of open containers is as deep as the JSON's nesting.
 */
export const firstDuplicateKey = (text: string): string | undefined => {
  // For each open container: the keys seen so far (an object) or undefined (an array).
  const open: Array<Set<string> | undefined> = []
  let expectingKey = false
  for (let position = 0; position < text.length; position += 1) {
    const character = text[position]
    if (character === '"') {
      const end = endOfString(text, position)
      const keys = open[open.length - 1]
      if (expectingKey && keys !== undefined) {
        const key = JSON.parse(text.slice(position, end + 1)) as string
        if (keys.has(key)) return key
        keys.add(key)
      }
      expectingKey = false
      position = end
    } else if (character === "{") {
      open.push(new Set())
      expectingKey = true
    } else if (character === "[") {
      open.push(undefined)
      expectingKey = false
    } else if (character === "}" || character === "]") {
      open.pop()
      expectingKey = false
    } else if (character === ",") {
      expectingKey = open[open.length - 1] !== undefined
    }
  }
  return undefined
}

/** The position of the quote that closes the string opening at `start` (a backslash escapes the next character). */
const endOfString = (text: string, start: number): number => {
  let position = start + 1
  while (position < text.length && text[position] !== '"') position += text[position] === "\\" ? 2 : 1
  return position
}
