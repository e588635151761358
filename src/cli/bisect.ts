export const run = async (): Promise<number> => {
  console.error("faultline bisect: not yet")
  return 2
}
