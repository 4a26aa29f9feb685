import type { StoredFile } from '../file-tasks/file-task';
import type { UploadRules } from './upload-rules';

/** Every org unit's path by id (the directory's cached `unitPaths`): an upload records its unit's. */
export interface UnitPathReader {
  unitPaths(): Promise<Record<string, string>>;
}

/** The bytes of one upload on their way into storage (a stream the adapter holds). */
export interface UploadSource {
  /** The upload rules of a biz type code as sent (400 UNKNOWN_BIZ_TYPE, BIZ_TYPE_NOT_UPLOADABLE). */
  rules(bizType: unknown): Promise<UploadRules>;
  /** Streams the bytes into storage under `key`, sniffed, counted and hashed against `rules`. */
  store(key: string, rules: UploadRules, declaredType: string | null): Promise<StoredFile>;
}

/** Signed download links (the URL is the credential, API.md "Files"). */
export interface DownloadLinkIssuer {
  /** A link to the task's content for `userId`, valid for the configured time from `now`. */
  issue(p: { taskId: string; userId: string; baseUrl: string; now: Date }): {
    url: string;
    /** The link's nonce: the download log ties a download to the link issued. */
    linkId: string;
    expiresAt: Date;
  };
}
