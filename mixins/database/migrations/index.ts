/** Every migration of the main database, oldest first. Each capability appends its own. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MAIN_MIGRATIONS: Function[] = [];
