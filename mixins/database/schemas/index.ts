import type { EntitySchema } from 'typeorm';

/** Every entity of the main database. Each capability appends its schemas here. */
export const MAIN_ENTITIES: EntitySchema[] = [];
