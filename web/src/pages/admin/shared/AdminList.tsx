import { useCallback } from 'react';
import { Button, Table, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { PageTitle } from '../../../components/PageTitle';
import { useNotify } from '../../../components/useNotify';

/**
 * An admin page that lists records and creates them in a dialog: the title with its "New …"
 * button, a sentence on what the records do, and the table (scrolling inside a narrow window).
 */
export function AdminList<T extends { id: string }>({
  title,
  newLabel,
  onNew,
  intro,
  list,
  emptyText,
  columns,
}: {
  title: string;
  newLabel: string;
  onNew: () => void;
  intro: string;
  list: { data: T[]; loading: boolean };
  emptyText: string;
  columns: TableColumnsType<T>;
}) {
  return (
    <>
      <PageTitle
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={onNew}>
            {newLabel}
          </Button>
        }
      >
        {title}
      </PageTitle>
      <Typography.Paragraph type="secondary">{intro}</Typography.Paragraph>
      <Table<T>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText }}
        columns={columns}
      />
    </>
  );
}

/** Runs a change (a delete, a revoke): says `done` and reloads the list, or shows the error. */
export function useChange(reload: () => void) {
  const notify = useNotify();
  return useCallback(
    async (change: () => Promise<unknown>, done: string) => {
      try {
        await change();
        notify.success(done);
        reload();
      } catch (e) {
        notify.error(e);
      }
    },
    [notify, reload],
  );
}
