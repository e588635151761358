/**
 * Replacing a file so that a crash leaves either the old file or the new one, never a mix and never neither:
 * write a temporary file, fsync it, rename it over the target, fsync the directory. Without the file fsync the
 * rename can become durable before the data (an empty file after a crash); without the directory fsync the rename
 * itself can be lost.
 */
import { copyFile, constants, open, rename, rm } from "node:fs/promises"
import { join } from "node:path"

/** Makes the directory entries (creations, renames) in `directory` durable. */
export const syncDirectory = async (directory: string): Promise<void> => {
  const handle = await open(directory, constants.O_RDONLY)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export const writeFileDurably = async (path: string, bytes: Uint8Array): Promise<void> => {
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export const replaceFileAtomically = async (directory: string, fileName: string, bytes: Uint8Array): Promise<void> => {
  const temporaryPath = join(directory, `${fileName}.replacing`)
  try {
    await writeFileDurably(temporaryPath, bytes)
    await rename(temporaryPath, join(directory, fileName))
    await syncDirectory(directory)
  } catch (error) {
    await rm(temporaryPath, { force: true })
    throw error
  }
}

/** Copies `fileName` to `copyName` durably, refusing to overwrite an earlier copy. */
export const copyFileDurably = async (directory: string, fileName: string, copyName: string): Promise<void> => {
  const copyPath = join(directory, copyName)
  await copyFile(join(directory, fileName), copyPath, constants.COPYFILE_EXCL)
  const handle = await open(copyPath, constants.O_RDONLY)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
  await syncDirectory(directory)
}
