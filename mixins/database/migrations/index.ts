import { Directory1764000000001 } from './1764000000001-Directory';
import { EmbeddedQueue1764000000002 } from './1764000000002-EmbeddedQueue';
import { OperationLogs1764000000003 } from './1764000000003-OperationLogs';
import { Permissions1764000000004 } from './1764000000004-Permissions';
import { FileTasks1764000000005 } from './1764000000005-FileTasks';
import { MetadataExports1764000000006 } from './1764000000006-MetadataExports';
import { Scheduler1764000000007 } from './1764000000007-Scheduler';
import { FileTaskUnitIndexes1764000000008 } from './1764000000008-FileTaskUnitIndexes';
import { FileTaskStatusWalkIndex1764000000009 } from './1764000000009-FileTaskStatusWalkIndex';
import { OutageAttempts1764000000010 } from './1764000000010-OutageAttempts';
import { Integration1764000000011 } from './1764000000011-Integration';
import { TrustTokens1764000000012 } from './1764000000012-TrustTokens';
import { ExportSchedules1764000000013 } from './1764000000013-ExportSchedules';
import { JobKinds1764000000014 } from './1764000000014-JobKinds';
import { FairExports1764000000015 } from './1764000000015-FairExports';
import { WaitingExportsIndex1764000000016 } from './1764000000016-WaitingExportsIndex';

/** Every migration of the main database, oldest first. Each capability adds its own. */
export const MAIN_MIGRATIONS = [
  Directory1764000000001,
  EmbeddedQueue1764000000002,
  OperationLogs1764000000003,
  Permissions1764000000004,
  FileTasks1764000000005,
  MetadataExports1764000000006,
  Scheduler1764000000007,
  FileTaskUnitIndexes1764000000008,
  FileTaskStatusWalkIndex1764000000009,
  OutageAttempts1764000000010,
  Integration1764000000011,
  TrustTokens1764000000012,
  ExportSchedules1764000000013,
  JobKinds1764000000014,
  FairExports1764000000015,
  WaitingExportsIndex1764000000016,
];
