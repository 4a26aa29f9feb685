/** A unit was created: every node drops its cached unit paths. */
export const UNITS_CHANGED = 'directory.unitsChanged';
/** A user's roles, unit or status changed: every node drops its cached copies of users. */
export const USERS_CHANGED = 'directory.usersChanged';
