import type { ServiceBroker } from 'moleculer';
import type { AppConfig } from '../config/app-config';
import type { ObjectStorage } from '../../domain/ports/object-storage.port';
import type { ExportBizType } from '../../domain/metadata/biz-type';
import { filterSpecsOf } from '../../domain/metadata/data-handler';
import type { FileTask } from '../../domain/file-tasks/file-task';
import type { ExportOutput, ExportPipeline } from '../../domain/exports/export-pipeline.ports';
import type { ExportColumn } from '../../domain/metadata/export-column';
import { ExportFailure, ExportStopped, classifyExportError } from '../../domain/exports/export-failure';
import { CONTENT_TYPES, exportStorageKey } from '../../domain/exports/export-naming';
import { createTableWriter } from './writers/table-writer';
import { localizeColumns, wantsCsvBom } from '../../domain/exports/localize';
import { UTC } from '../../domain/shared/time-zone';
import { dataHandlerAdapter } from './data-handlers/registry';
import type { KeyRange, ReadScope } from '../../domain/exports/data-handler.port';
import { ChunkFeed } from './chunk-feed';
import { READ_CHUNK_ACTION, type ReadChunkParams, type ReadChunkResult } from './chunk-read.contract';
import { HashingStream } from './hashing-stream';
import { asSystem } from '../auth/caller-identity.middleware';
import { chooseReader, readsHoldBack, rereadOn } from '../../domain/exports/reader-choice';
import type { PeerLoads, ReaderGauge } from './reader-load';

export interface RunDeps {
  config: AppConfig;
  storage: ObjectStorage;
  broker: ServiceBroker;
  /** Writes progress and renews the lease; false when the task was cancelled or taken over. */
  heartbeat(rows: number, total: number | null): Promise<boolean>;
  logger: { warn(...a: unknown[]): void; info(...a: unknown[]): void };
  /** This node's load (its event loop's utilisation; the exports it coordinates). */
  gauge: ReaderGauge;
  /** The other export nodes' loads, for the reader policy. */
  peers: PeerLoads;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Errors a re-read elsewhere can cure: a node that died or timed out, a source that hiccupped. */
const transient = (e: unknown) => classifyExportError(e).reason === 'SOURCE_UNAVAILABLE';

/**
 * The share of the last one to two seconds the writer spent waiting for batches: near 0 when the
 * writer is the bottleneck (batches are ready before it asks), high when the reads are.
 */
class WriterWaits {
  private start = performance.now();
  private waited = 0;
  private before = { waited: 0, elapsed: 0 };

  add(ms: number): void {
    this.waited += ms;
  }

  share(): number {
    const now = performance.now();
    if (now - this.start >= 1000) {
      this.before = { waited: this.waited, elapsed: now - this.start };
      this.start = now;
      this.waited = 0;
    }
    const elapsed = this.before.elapsed + (now - this.start);
    return elapsed > 0 ? (this.before.waited + this.waited) / elapsed : 0;
  }
}

/**
 * The coordinator of one export (DESIGN.md "The export pipeline"): plans key-range chunks, has
 * their batches read where the reader policy says (domain/exports/reader-choice.ts: on this node,
 * on another export node only when that one has a core to spare and the local reads hold the
 * export back; a failed batch re-read on another node), keeps a bounded window of batches in flight, writes them in order into the
 * streaming writer piped into object storage, and heartbeats progress and the lease between
 * batches. Nothing is published unless every row was written: on any failure the partial object
 * is removed.
 */
export async function coordinateExport(
  deps: RunDeps,
  task: FileTask,
  b: ExportBizType,
): Promise<ExportOutput> {
  const { config, storage, broker } = deps;
  const e = task.exportAttrs;
  const spec = e.spec;
  const found = spec.columns
    .map((k) => b.columns.find((c) => c.key === k))
    .filter((c): c is ExportColumn => !!c);
  if (found.length !== spec.columns.length)
    throw new ExportFailure('BIZ_TYPE_INVALID', 'a column of this export no longer exists in its biz type');
  // The row scope was snapshotted for a non-admin requester: a biz type that lost its rowScope since
  // must not widen the export to every row.
  if (spec.rowScope && !b.rules.rowScope)
    throw new ExportFailure(
      'BIZ_TYPE_INVALID',
      'the biz type no longer has the row scope this export was requested under',
    );
  // Likewise a filter the request used and the biz type no longer whitelists, whatever the handler.
  const specs = filterSpecsOf(b.dataHandler);
  const dropped = Object.keys(spec.filters).filter((name) => !Object.hasOwn(specs, name));
  if (dropped.length > 0)
    throw new ExportFailure(
      'BIZ_TYPE_INVALID',
      `the biz type no longer has the filter(s) ${dropped.join(', ')}`,
    );
  const timeZone = spec.timeZone ?? UTC;
  const locale = spec.locale ?? null;
  const columns = localizeColumns(found, locale);
  const scope: ReadScope = {
    filters: spec.filters,
    rowScope:
      b.rules.rowScope && spec.rowScope ? { column: b.rules.rowScope.column, unitIds: spec.rowScope } : null,
    columns: spec.columns,
  };
  // Progress and the lease are written on a timer for the whole run, planning included: a slow
  // COUNT or a batch re-read across nodes must not let the lease lapse while this worker is alive.
  let rows = 0;
  let total: number | null = null;
  let stopped = false;
  let beating = true;
  let beat: NodeJS.Timeout | null = null;
  const pulse = () => {
    beat = setTimeout(() => {
      void deps
        .heartbeat(rows, total)
        .then((ok) => {
          if (!ok) stopped = true;
        })
        .catch((err: unknown) => deps.logger.warn(`export ${task.id}: heartbeat failed`, err))
        .finally(() => {
          if (beating && !stopped) pulse();
        });
    }, config.exports.heartbeatMs);
  };
  pulse();
  const stopBeat = () => {
    beating = false;
    if (beat) clearTimeout(beat);
  };
  try {
    return await runPipeline();
  } finally {
    stopBeat();
  }

  async function runPipeline(): Promise<ExportOutput> {
    const adapter = dataHandlerAdapter(b.dataHandler);
    const ctx = broker.ContextFactory.create(broker, null as never, {}, asSystem());
    const plan = await adapter
      .plan(b.dataHandler, scope, config.exports.chunkRows, ctx)
      .catch((err: unknown) => {
        throw classifyExportError(err);
      });
    total = plan.total;
    if (stopped) throw new ExportStopped();
    const waits = new WriterWaits();
    if (plan.total !== null && plan.total > b.rules.maxRows) {
      throw new ExportFailure(
        'ROW_LIMIT_EXCEEDED',
        `${plan.total} rows match, more than the ${b.rules.maxRows} this biz type allows; narrow the filters`,
      );
    }

    // Moleculer's typings omit the registry's endpoint lookup; its shape is stable across 0.14.
    const registry = broker.registry as unknown as {
      getActionEndpoints(name: string): { endpoints: { id: string; isAvailable: boolean }[] } | undefined;
    };
    const readers = () =>
      (registry.getActionEndpoints(READ_CHUNK_ACTION)?.endpoints ?? [])
        .filter((ep) => ep.isAvailable)
        .map((ep) => ep.id)
        .sort();
    /** Batches read per node: in the manifest, so operations can see how the work spread. */
    const readBy: Record<string, number> = {};
    const inFlight: Record<string, number> = {};
    const self = broker.nodeID;
    const readBatch = async (range: KeyRange, chunk: number): Promise<ReadChunkResult> => {
      let last: unknown;
      let nodeID = '';
      for (let attempt = 0; attempt < 4; attempt++) {
        const nodes = readers();
        if (nodes.length === 0) throw new ExportFailure('SOURCE_UNAVAILABLE', 'no chunk reader is available');
        // A retry moves to the next node, so a dead node's batch is re-read elsewhere.
        nodeID =
          attempt === 0
            ? chooseReader({
                mode: config.exports.remoteReads,
                self,
                nodes,
                chunk,
                loadOf: (n) => deps.peers.get(n),
                inFlight,
                localHoldsBack: readsHoldBack(deps.gauge.snapshot().busy, waits.share()),
              })
            : rereadOn(nodes, nodeID);
        inFlight[nodeID] = (inFlight[nodeID] ?? 0) + 1;
        try {
          const params: ReadChunkParams = {
            handler: b.dataHandler,
            columns,
            scope,
            range,
            limit: config.exports.batchRows,
            timeZone,
            quoteFormulas: e.format === 'csv',
          };
          const r = await broker.call<ReadChunkResult, ReadChunkParams>(READ_CHUNK_ACTION, params, {
            ...asSystem(),
            nodeID,
            retries: 0,
            timeout: config.exports.readTimeoutMs,
          });
          readBy[nodeID] = (readBy[nodeID] ?? 0) + 1;
          return r;
        } catch (err) {
          last = err;
          if (!transient(err)) throw classifyExportError(err);
          deps.logger.warn(
            `export ${task.id}: chunk ${chunk} batch after ${String(range.after)} failed on ${nodeID}; re-reading`,
            err,
          );
          await sleep(200 * (attempt + 1));
        } finally {
          inFlight[nodeID] -= 1;
        }
      }
      throw classifyExportError(last);
    };

    const key = exportStorageKey(b.code, task.id, e.attempts, e.format, task.snapshot().createdAt);
    const hasher = new HashingStream();
    const stored = storage.put(key, hasher, { contentType: CONTENT_TYPES[e.format] });
    // Mark handled now: a failed put is awaited (and reported) below, never left unobserved.
    stored.catch(() => undefined);
    const writer = createTableWriter({
      format: e.format,
      columns,
      out: hasher,
      csvBom: wantsCsvBom(b.rules.csvBom, locale),
      sheetName: b.name.slice(0, 31),
      createdAt: task.snapshot().createdAt,
    });

    const chunks = plan.chunks;
    const perFeed = 2;
    const ahead = Math.max(1, Math.floor(config.exports.window / perFeed));
    const feeds: (ChunkFeed | undefined)[] = [];
    const feed = (i: number) => (feeds[i] ??= new ChunkFeed(chunks[i], i, readBatch, perFeed));
    /** The writer's wait for the next batch: what tells the reader policy the reads hold it back. */
    const nextBatch = async (i: number) => {
      const t0 = performance.now();
      const batch = await feed(i).next();
      waits.add(performance.now() - t0);
      return batch;
    };
    try {
      for (let i = 0; i < chunks.length; i++) {
        for (let j = i; j < Math.min(chunks.length, i + ahead); j++) feed(j);
        for (let batch = await nextBatch(i); batch; batch = await nextBatch(i)) {
          rows += batch.cells.length;
          if (rows > b.rules.maxRows)
            throw new ExportFailure(
              'ROW_LIMIT_EXCEEDED',
              `more than the ${b.rules.maxRows} rows this biz type allows`,
            );
          await writer.write(batch.cells);
          if (stopped) throw new ExportStopped();
        }
        feeds[i]?.stop();
        feeds[i] = undefined;
      }
      if (stopped) throw new ExportStopped();
      // The lease is renewed until the file is stored: a slow final write or upload must not let
      // compensation take over a finished export.
      await writer.finish();
      const put = await stored;
      // The last check before publishing: a cancel that arrived during the final batches or the
      // upload wins (the stored object is removed below).
      stopBeat();
      if (stopped || !(await deps.heartbeat(rows, plan.total))) throw new ExportStopped();
      const sha256 = hasher.digest();
      return {
        file: { storageKey: key, size: put.size, sha256, contentType: CONTENT_TYPES[e.format] },
        rowCount: rows,
        manifest: {
          bizType: b.code,
          format: e.format,
          filters: spec.filters,
          timeZone,
          locale,
          columns: columns.map((c) => ({
            key: c.key,
            header: c.header,
            ...(c.mask ? { mask: c.mask } : {}),
          })),
          rowScope: spec.rowScope,
          rowCount: rows,
          sha256,
          size: put.size,
          requester: spec.requester,
          chunks: chunks.length,
          coordinator: self,
          readers: readBy,
        },
      };
    } catch (err) {
      for (const f of feeds) f?.stop();
      await writer.abort(err instanceof Error ? err : new Error(String(err))).catch(() => undefined);
      await stored.catch(() => undefined);
      await storage.delete(key).catch(() => undefined);
      if (err instanceof ExportStopped) throw err;
      throw classifyExportError(err);
    }
  }
}

/** The ExportPipeline port: this node coordinates, chunk readers here (and on spare nodes) read. */
export function exportPipeline(deps: Omit<RunDeps, 'heartbeat'>): ExportPipeline {
  return {
    run: (task, b, heartbeat) =>
      deps.gauge.count('coordinating', () => coordinateExport({ ...deps, heartbeat }, task, b)),
    discard: (storageKey) => deps.storage.delete(storageKey).catch(() => undefined),
  };
}
