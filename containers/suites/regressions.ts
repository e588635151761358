export const registerRegressionReplays = (): void => {}
