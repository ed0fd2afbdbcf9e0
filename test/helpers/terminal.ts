/**
 * What a terminal shows after some output: text, newlines, carriage returns and the cursor and
 * erase sequences a progress bar writes (cursor to column, up, erase line, erase below); other
 * escape sequences (colours, cursor visibility, line wrapping) change nothing visible here.
 * No wrapping: a line longer than the terminal stays one line, so a test can measure it.
 */
export class Screen {
  readonly lines: string[] = [''];
  private row = 0;
  private col = 0;

  write(text: string): void {
    // eslint-disable-next-line no-control-regex
    const tokens = text.match(/\x1b\[[?\d;]*[A-Za-z]|\x1b.|[^\x1b]/gs) ?? [];
    for (const t of tokens) this.token(t);
  }

  /** The lines as seen, without trailing blanks and trailing empty lines. */
  text(): string[] {
    const out = this.lines.map((l) => l.trimEnd());
    while (out.length > 0 && out.at(-1) === '') out.pop();
    return out;
  }

  private token(t: string): void {
    if (t === '\n') {
      this.row++;
      this.col = 0;
      this.lines[this.row] ??= '';
      return;
    }
    if (t === '\r') return void (this.col = 0);
    // eslint-disable-next-line no-control-regex
    const csi = /^\x1b\[([?\d;]*)([A-Za-z])$/.exec(t);
    if (!csi) {
      if (!t.startsWith('\x1b')) this.put(t);
      return;
    }
    const n = csi[1] === '' || csi[1]!.startsWith('?') ? undefined : Number(csi[1]);
    switch (csi[2]) {
      case 'G':
        this.col = Math.max(0, (n ?? 1) - 1);
        break;
      case 'A':
        this.row = Math.max(0, this.row - (n ?? 1));
        break;
      case 'B':
        this.row += n ?? 1;
        this.lines[this.row] ??= '';
        break;
      case 'K':
        this.eraseLine(n ?? 0);
        break;
      case 'J':
        this.eraseLine(0);
        this.lines.length = this.row + 1;
        break;
      default:
        break;
    }
  }

  private put(ch: string): void {
    const line = (this.lines[this.row] ?? '').padEnd(this.col);
    this.lines[this.row] = line.slice(0, this.col) + ch + line.slice(this.col + 1);
    this.col++;
  }

  private eraseLine(mode: number): void {
    const line = this.lines[this.row] ?? '';
    if (mode === 0) this.lines[this.row] = line.slice(0, this.col);
    else if (mode === 1) this.lines[this.row] = ' '.repeat(this.col) + line.slice(this.col);
    else this.lines[this.row] = '';
  }
}
