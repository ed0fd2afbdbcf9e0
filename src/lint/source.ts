/**
 * Positions in a SQL source. libpg-query reports statement and token locations as BYTE offsets into
 * the UTF-8 text, and syntax-error cursors as CHARACTER (code point) offsets; findings use 1-based
 * line and column counted in code points, which is what editors and GitHub annotations expect.
 */
export interface Position {
  line: number;
  column: number;
}

export class SourceText {
  readonly text: string;
  /** UTF-8 byte offset of each UTF-16 index boundary we need, computed lazily once. */
  private byteToIndex: Int32Array | undefined;
  private lineStarts: number[] | undefined;
  readonly ascii: boolean;

  constructor(text: string) {
    this.text = text;
    // eslint-disable-next-line no-control-regex
    this.ascii = !/[^\x00-\x7f]/.test(text);
  }

  /** UTF-16 string index for a UTF-8 byte offset. */
  indexOfByte(byte: number): number {
    if (this.ascii) return Math.min(byte, this.text.length);
    if (!this.byteToIndex) {
      const buf = Buffer.from(this.text, 'utf8');
      const map = new Int32Array(buf.length + 1);
      let index = 0;
      let b = 0;
      for (const ch of this.text) {
        const cp = ch.codePointAt(0)!;
        const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        for (let k = 0; k < bytes; k++) map[b + k] = index;
        b += bytes;
        index += ch.length;
      }
      map[b] = index;
      this.byteToIndex = map;
    }
    const clamped = Math.max(0, Math.min(byte, this.byteToIndex.length - 1));
    return this.byteToIndex[clamped]!;
  }

  /** UTF-16 string index for a code point offset (Postgres error cursors). */
  indexOfCodePoint(cp: number): number {
    if (this.ascii) return Math.min(cp, this.text.length);
    let index = 0;
    let n = 0;
    for (const ch of this.text) {
      if (n === cp) return index;
      index += ch.length;
      n++;
    }
    return index;
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  /** 1-based line and column (in code points) of a UTF-16 index. */
  positionOfIndex(index: number): Position {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = starts[lo]!;
    const segment = this.text.slice(lineStart, index);
    const column = this.ascii ? segment.length : [...segment].length;
    return { line: lo + 1, column: column + 1 };
  }

  positionOfByte(byte: number): Position {
    return this.positionOfIndex(this.indexOfByte(byte));
  }

  /** The text of line n (1-based), without its newline. */
  lineText(line: number): string {
    const starts = this.starts();
    const start = starts[line - 1] ?? this.text.length;
    const next = starts[line];
    return this.text.slice(start, next === undefined ? undefined : next - 1).replace(/\r$/, '');
  }

  get lineCount(): number {
    return this.starts().length;
  }
}
