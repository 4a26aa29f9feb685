import { useEffect, useState } from 'react';
import { Alert, Form, Input, Progress, Select, Typography, Upload } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { bizTypes } from '../api/resources';
import { uploadFile } from '../api/upload';
import type { FileBizType, FileTask } from '../api/types';
import { PageTitle } from '../components/PageTitle';
import { useNotify } from '../components/useNotify';
import { useI18n } from '../i18n/I18nProvider';
import { formatBytes } from '../lib/format';
import { checkUpload } from '../lib/upload-rules';

export default function UploadPage() {
  const { t } = useI18n();
  const notify = useNotify();
  const [types, setTypes] = useState<FileBizType[]>([]);
  const [code, setCode] = useState<string | undefined>();
  const [name, setName] = useState('');
  const [percent, setPercent] = useState<number | null>(null);
  const [done, setDone] = useState<FileTask | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    bizTypes
      .list('FILE')
      .then((p) => setTypes(p.items.filter((b): b is FileBizType => b.kind === 'FILE')))
      .catch(notify.error);
  }, [notify]);

  const chosen = types.find((b) => b.code === code);
  const rulesText = chosen
    ? t('upload.rules', {
        types: chosen.rules.contentTypes?.length ? chosen.rules.contentTypes.join(', ') : t('upload.anyType'),
        size: chosen.rules.maxSize ? formatBytes(chosen.rules.maxSize) : t('upload.noLimit'),
      })
    : null;

  return (
    <>
      <PageTitle>{t('upload.title')}</PageTitle>
      <Form layout="vertical" style={{ maxWidth: 640 }}>
        <Form.Item label={t('upload.bizType')} required>
          <Select
            aria-label={t('upload.bizType')}
            showSearch
            optionFilterProp="label"
            value={code}
            onChange={(v) => {
              setCode(v);
              setDone(null);
              setProblem(null);
            }}
            placeholder={t('upload.chooseBizType')}
            options={types.map((b) => ({ value: b.code, label: `${b.name} (${b.code})` }))}
          />
        </Form.Item>
        {rulesText ? <Alert type="info" showIcon message={rulesText} style={{ marginBottom: 16 }} /> : null}
        <Form.Item label={t('upload.name')}>
          <Input value={name} onChange={(e) => setName(e.target.value)} aria-label={t('upload.name')} />
        </Form.Item>
        <Upload.Dragger
          disabled={!chosen || percent !== null}
          multiple={false}
          showUploadList={false}
          accept={chosen?.rules.contentTypes?.length ? chosen.rules.contentTypes.join(',') : undefined}
          beforeUpload={(file) => {
            if (!chosen) return Upload.LIST_IGNORE;
            const p = checkUpload(chosen.rules, file);
            if (p?.kind === 'tooLarge') {
              setProblem(t('upload.tooLarge', { name: file.name, size: formatBytes(p.limit) }));
              return Upload.LIST_IGNORE;
            }
            if (p?.kind === 'badType') {
              setProblem(t('upload.badType', { name: file.name, type: p.type }));
              return Upload.LIST_IGNORE;
            }
            setProblem(null);
            return true;
          }}
          customRequest={({ file }) => {
            if (!chosen) return;
            setPercent(0);
            setDone(null);
            const { promise } = uploadFile(
              file as File,
              { bizType: chosen.code, name: name.trim() || undefined },
              setPercent,
            );
            promise
              .then((task) => {
                setDone(task);
                notify.success(t('upload.done', { name: task.name }));
              })
              .catch((e: unknown) => {
                setProblem(null);
                notify.error(e);
                const status = (e as { status?: number }).status;
                if (status === 413 || status === 415) setProblem(String((e as Error).message));
              })
              .finally(() => setPercent(null));
          }}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('upload.drop')}</p>
          <p className="ant-upload-hint">{t('upload.hint')}</p>
        </Upload.Dragger>
        {percent !== null ? <Progress percent={percent} style={{ marginTop: 16 }} /> : null}
        {problem ? (
          <Alert type="error" showIcon message={problem} role="alert" style={{ marginTop: 16 }} />
        ) : null}
        {done ? (
          <Alert
            type="success"
            showIcon
            style={{ marginTop: 16 }}
            message={t('upload.done', { name: done.name })}
            description={
              <Typography.Text type="secondary">
                {formatBytes(done.file?.size)} · {done.file?.contentType} · sha256{' '}
                {done.file?.sha256.slice(0, 16)}…
              </Typography.Text>
            }
          />
        ) : null}
      </Form>
    </>
  );
}
