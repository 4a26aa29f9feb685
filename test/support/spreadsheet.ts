import assert from 'node:assert/strict';
import JSZip from 'jszip';

/**
 * An xlsx reader independent of exceljs (which would forgive its own mistakes): jszip and a few
 * regular expressions over the package's XML. Fails if any cell is a formula.
 */
export interface XCell {
  ref: string;
  /** The cell type attribute: undefined for a number, "str"/"inlineStr"/"s" text, "b" boolean. */
  t: string | undefined;
  s: number | undefined;
  v: string | undefined;
}

const decodeXml = (s: string) =>
  s
    // What any XML parser does to raw line breaks in text (XML 1.0 §2.11).
    .replace(/\r\n?/g, '\n')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(
      /&(lt|gt|quot|apos|amp);/g,
      (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!,
    );

/** What a reader sees of a sheet before its cells: column widths, frozen rows, the autofilter. */
export interface SheetLayout {
  widths: number[];
  frozenRows: number;
  autoFilter: string | undefined;
}

export async function readXlsx(bytes: Buffer) {
  const zip = await JSZip.loadAsync(bytes);
  const text = async (name: string) => {
    const file = zip.file(name);
    assert.ok(file, `${name} in the package`);
    return file.async('string');
  };
  const workbook = await text('xl/workbook.xml');
  const sheetNames = [...workbook.matchAll(/<sheet [^>]*name="([^"]*)"/g)].map((m) => decodeXml(m[1]));
  const styles = await text('xl/styles.xml');
  // ECMA-376 built-in formats we may meet, then the file's own.
  const numFmts = new Map<number, string>([
    [0, 'General'],
    [1, '0'],
    [2, '0.00'],
    [14, 'mm-dd-yy'],
  ]);
  for (const m of styles.matchAll(/<numFmt numFmtId="(\d+)" formatCode="([^"]*)"/g)) {
    numFmts.set(Number(m[1]), decodeXml(m[2]));
  }
  const xfs = [
    ...(/<cellXfs[^>]*>(.*?)<\/cellXfs>/s.exec(styles)?.[1] ?? '').matchAll(
      /<xf ([^>]*numFmtId="(\d+)"[^>]*)>/g,
    ),
  ];
  const fonts = [
    ...(/<fonts[^>]*>(.*?)<\/fonts>/s.exec(styles)?.[1] ?? '').matchAll(/<font>(.*?)<\/font>/gs),
  ];
  const formatOf = (s: number | undefined) =>
    s === undefined ? undefined : numFmts.get(Number(xfs[s]?.[2]));
  /** Excel's quote prefix: the cell is text even when edited (no visible apostrophe). */
  const quotePrefixOf = (s: number | undefined) =>
    s !== undefined && /quotePrefix="(1|true)"/.test(xfs[s]?.[1] ?? '');
  const boldOf = (s: number | undefined) => {
    const font = s === undefined ? undefined : /fontId="(\d+)"/.exec(xfs[s]?.[1] ?? '')?.[1];
    return font !== undefined && /<b\/>/.test(fonts[Number(font)]?.[1] ?? '');
  };
  const sheets: XCell[][][] = [];
  const layouts: SheetLayout[] = [];
  for (let i = 1; i <= sheetNames.length; i++) {
    const xml = await text(`xl/worksheets/sheet${i}.xml`);
    assert.doesNotMatch(xml, /<f[ >]/, 'no cell is a formula');
    const rows = [...xml.matchAll(/<row [^>]*>(.*?)<\/row>/gs)].map((row) =>
      [...row[1].matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)].map((c) => ({
        ref: c[1],
        t: /t="([^"]+)"/.exec(c[2])?.[1],
        s: /s="(\d+)"/.exec(c[2]) ? Number(/s="(\d+)"/.exec(c[2])![1]) : undefined,
        v: c[3] === undefined ? undefined : decodeXml(/<v>(.*?)<\/v>/s.exec(c[3])?.[1] ?? ''),
      })),
    );
    sheets.push(rows);
    const pane = /<pane [^>]*>/.exec(xml)?.[0] ?? '';
    layouts.push({
      widths: [...xml.matchAll(/<col [^>]*>/g)].map((c) => Number(/width="([\d.]+)"/.exec(c[0])?.[1])),
      frozenRows: /state="frozen"/.test(pane) ? Number(/ySplit="(\d+)"/.exec(pane)?.[1] ?? 0) : 0,
      autoFilter: /<autoFilter ref="([^"]+)"/.exec(xml)?.[1],
    });
  }
  return { zip, sheetNames, sheets, layouts, formatOf, quotePrefixOf, boldOf };
}
