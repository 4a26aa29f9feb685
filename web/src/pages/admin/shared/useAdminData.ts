import { useCallback, useEffect, useState } from 'react';
import { directory, metadata, type Role, type User } from '../../../api/admin';
import type { BizTypeView } from '../../../lib/admin/biz-type-form';
import type { UnitNode } from '../../../lib/admin/unit-tree';
import { useNotify } from '../../../components/useNotify';

/**
 * A list the admin pages read from the API, with its loading state and a reload after a change.
 * An error is shown once (useNotify) and leaves the last good value.
 */
export function useLoaded<T>(
  load: () => Promise<T>,
  initial: T,
): { data: T; loading: boolean; reload: () => void } {
  // useNotify answers a new object each render; its `error` is stable.
  const { error: showError } = useNotify();
  const [data, setData] = useState<T>(initial);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load()
      .then((d) => live && setData(d))
      .catch((e: unknown) => live && showError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
    // `load` is a module-level call in every use: reloading is asked for through `round`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [round, showError]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, loading, reload };
}

const EMPTY_UNITS: UnitNode[] = [];
const EMPTY_ROLES: Role[] = [];
const EMPTY_USERS: User[] = [];
const EMPTY_BIZ: BizTypeView[] = [];

export const useUnitTree = () => useLoaded(directory.unitTree, EMPTY_UNITS);
export const useRoles = () => useLoaded(async () => (await directory.roles()).items, EMPTY_ROLES);
export const useUsers = () => useLoaded(() => directory.allUsers(), EMPTY_USERS);
export const useBizTypes = () => useLoaded(async () => (await metadata.list()).items, EMPTY_BIZ);
