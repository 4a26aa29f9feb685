import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseReader,
  isSpare,
  readsHoldBack,
  rereadOn,
  type ReaderChoice,
  type ReaderLoad,
} from '../../../domain/exports/reader-choice';

const idle: ReaderLoad = { coordinating: 0, reading: 0, busy: 0.05 };
const exporting: ReaderLoad = { coordinating: 1, reading: 2, busy: 0.95 };
const nodes = ['export-1', 'export-2', 'export-3'];

const choice = (over: Partial<ReaderChoice>): ReaderChoice => ({
  mode: 'spare',
  self: 'export-1',
  nodes,
  chunk: 0,
  loadOf: () => idle,
  inFlight: {},
  localHoldsBack: true,
  ...over,
});

/**
 * Simulates one export's reads: `batches` picks, each leaving its batch in flight until `window`
 * are, then the oldest ends. Returns the batches read per node.
 */
function spread(over: Partial<ReaderChoice>, batches = 40, window = 4): Record<string, number> {
  const inFlight: Record<string, number> = {};
  const open: string[] = [];
  const readBy: Record<string, number> = {};
  for (let i = 0; i < batches; i++) {
    if (open.length === window) inFlight[open.shift()!] -= 1;
    const n = chooseReader(choice({ ...over, inFlight, chunk: i }));
    inFlight[n] = (inFlight[n] ?? 0) + 1;
    open.push(n);
    readBy[n] = (readBy[n] ?? 0) + 1;
  }
  return readBy;
}

describe('reader choice: where an export batch is read', () => {
  it('reads locally when every other export node is exporting itself', () => {
    assert.deepEqual(spread({ loadOf: () => exporting }), { 'export-1': 40 });
  });

  it('lets idle nodes help a lone export whose local reads hold it back', () => {
    const readBy = spread({ loadOf: () => idle });
    assert.deepEqual(Object.keys(readBy).sort(), nodes);
    for (const n of nodes) assert.ok(readBy[n] >= 10, JSON.stringify(readBy));
  });

  it('keeps reads local while the local reads do not hold the export back', () => {
    assert.deepEqual(spread({ localHoldsBack: false }), { 'export-1': 40 });
  });

  it('counts a node that has not answered (or answered too long ago) as busy', () => {
    assert.equal(isSpare(undefined), false);
    const readBy = spread({ loadOf: (n) => (n === 'export-3' ? idle : undefined) });
    assert.deepEqual(Object.keys(readBy).sort(), ['export-1', 'export-3']);
  });

  it("leaves a node already loaded with other coordinators' reads", () => {
    assert.equal(isSpare({ coordinating: 0, reading: 8, busy: 1 }), false);
    assert.equal(isSpare({ coordinating: 0, reading: 3, busy: 0.9 }), true);
  });

  it('judges the local reads by the event loop and by the writer waiting for batches', () => {
    assert.equal(readsHoldBack(0.95, 0), true);
    assert.equal(readsHoldBack(0.3, 0.5), true);
    assert.equal(readsHoldBack(0.3, 0.05), false);
  });

  it('round-robins chunks in `always` mode and never leaves the node in `never` mode', () => {
    assert.deepEqual(
      [0, 1, 2, 3].map((chunk) => chooseReader(choice({ mode: 'always', chunk, loadOf: () => exporting }))),
      ['export-1', 'export-2', 'export-3', 'export-1'],
    );
    assert.deepEqual(spread({ mode: 'never' }), { 'export-1': 40 });
  });

  it('round-robins when this node serves no chunk reads', () => {
    assert.equal(chooseReader(choice({ self: 'core-1', chunk: 4 })), 'export-2');
  });

  it('re-reads a failed batch on the next node, wherever it was read first', () => {
    assert.equal(rereadOn(nodes, 'export-1'), 'export-2');
    assert.equal(rereadOn(nodes, 'export-3'), 'export-1');
    assert.equal(rereadOn(['export-1', 'export-3'], 'export-2'), 'export-1');
  });
});
