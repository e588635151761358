export const run = async (): Promise<number> => {
  console.error("faultline dashboard: not yet")
  return 2
}
