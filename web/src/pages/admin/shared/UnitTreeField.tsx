import { useMemo } from 'react';
import { Tree, TreeSelect } from 'antd';
import { expandableKeys, toTreeData, type UnitNode } from '../../../lib/admin/unit-tree';

/**
 * The org-unit tree as a form control (antd Tree, one unit selected): the permission configuration
 * the paper describes, "in a tree diagram for the administrator to select". `value`/`onChange`
 * come from Form.Item.
 */
export function UnitTreeField({
  units,
  value,
  onChange,
  label,
  id,
}: {
  units: UnitNode[];
  value?: string;
  onChange?: (id: string) => void;
  label: string;
  id?: string;
}) {
  const data = useMemo(() => toTreeData(units), [units]);
  const expanded = useMemo(() => expandableKeys(units), [units]);
  return (
    <div
      id={id}
      role="group"
      aria-label={label}
      style={{ border: '1px solid rgba(5,5,5,0.1)', borderRadius: 6, padding: 8 }}
    >
      <Tree
        treeData={data}
        defaultExpandedKeys={expanded}
        selectedKeys={value ? [value] : []}
        onSelect={(keys) => {
          if (keys.length > 0) onChange?.(String(keys[0]));
        }}
        showLine
        blockNode
      />
    </div>
  );
}

/** One unit chosen from the tree in a drop-down (scope units, a user's unit). */
export function UnitSelect({
  units,
  value,
  onChange,
  id,
  placeholder,
  allowClear = true,
}: {
  units: UnitNode[];
  value?: string | null;
  onChange?: (id: string | null) => void;
  id?: string;
  placeholder?: string;
  allowClear?: boolean;
}) {
  const data = useMemo(() => toTreeData(units), [units]);
  return (
    <TreeSelect
      id={id}
      treeData={data}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? null)}
      allowClear={allowClear}
      showSearch
      treeNodeFilterProp="title"
      treeDefaultExpandAll
      placeholder={placeholder}
      style={{ width: '100%' }}
    />
  );
}
