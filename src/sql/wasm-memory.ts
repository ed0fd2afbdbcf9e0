/**
 * libpg-query's WebAssembly module declares 128 MB of initial linear memory, of which it uses ~34 MB
 * at start (its data and a 32 MB stack; the heap above grows on demand: the module's memory has a
 * maximum and the Emscripten glue grows it when malloc needs more). V8 counts a WebAssembly memory as
 * external memory, and 128 MB at once is past its 64 MB external-memory limit, so instantiating the
 * module triggers a full garbage collection at start-up (`node --trace-gc`: "external memory pressure",
 * then a Mark-Compact): ~30 M instructions, a sixth of what Node 20 spends loading the parser.
 *
 * withSmallerInitialMemory rewrites the declared initial size, in place of the same bytes, to the
 * module's stack top (Emscripten lays out its data, then its stack, then the heap) plus `headroom`,
 * when that is smaller. Anything it does not recognise (no memory section, an imported or shared
 * memory, no maximum, no i32 stack pointer) leaves the bytes as they are. It does not walk the data
 * segments to check that they end below the stack (libpg-query has 2,691 of them: the walk and the
 * optimising compiles V8 started for its hot loop cost ~28 M instructions, a seventh of loading the
 * parser): a module whose data ends above the new size fails to instantiate ("data segment is out of
 * bounds"), before running any code, and instantiateSmaller then instantiates the original bytes.
 */
const PAGE = 65536;

interface Cursor {
  pos: number;
}

function leb(bytes: Uint8Array, c: Cursor): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[c.pos++];
    if (b === undefined || shift > 28) throw new RangeError('bad LEB128');
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
  }
}

/** Writes `value` as unsigned LEB128 in exactly `width` bytes (padded with continuation bytes). */
function writeLeb(bytes: Uint8Array, at: number, width: number, value: number): boolean {
  if (value >= 2 ** (7 * width)) return false;
  for (let i = 0; i < width; i++) {
    bytes[at + i] = (value & 0x7f) | (i < width - 1 ? 0x80 : 0);
    value = Math.floor(value / 128);
  }
  return true;
}

interface Layout {
  /** Where the initial page count is, and its width in bytes. */
  initialAt: number;
  initialWidth: number;
  initial: number;
  maximum: number;
  /** The first global's i32 initial value: Emscripten's stack pointer, the top of its stack. */
  stackTop: number;
}

function memorySection(bytes: Uint8Array, c: Cursor, layout: Partial<Layout>): boolean {
  if (leb(bytes, c) !== 1) return false;
  const flags = leb(bytes, c);
  if (flags !== 1) return false; // exactly "has a maximum": not shared, not 64-bit
  layout.initialAt = c.pos;
  layout.initial = leb(bytes, c);
  layout.initialWidth = c.pos - layout.initialAt;
  layout.maximum = leb(bytes, c);
  return true;
}

function firstGlobal(bytes: Uint8Array, c: Cursor): number | undefined {
  if (leb(bytes, c) < 1) return undefined;
  const type = bytes[c.pos++];
  c.pos++; // mutability
  if (type !== 0x7f || bytes[c.pos++] !== 0x41) return undefined; // i32, i32.const
  const value = leb(bytes, c);
  return bytes[c.pos] === 0x0b ? value : undefined;
}

function readLayout(bytes: Uint8Array): Layout | undefined {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    return undefined;
  const layout: Partial<Layout> = {};
  const c = { pos: 8 };
  while (c.pos < bytes.length) {
    const id = bytes[c.pos++]!;
    const size = leb(bytes, c);
    const next = c.pos + size;
    if (id === 2 && importsMemory(bytes, { pos: c.pos })) return undefined;
    if (id === 5 && !memorySection(bytes, c, layout)) return undefined;
    if (id === 6) layout.stackTop = firstGlobal(bytes, c);
    c.pos = next;
  }
  return layout.initialAt === undefined || layout.stackTop === undefined ? undefined : (layout as Layout);
}

/** Whether the import section imports a memory (its size is then the importer's, not the module's). */
function importsMemory(bytes: Uint8Array, c: Cursor): boolean {
  const count = leb(bytes, c);
  const name = () => {
    const length = leb(bytes, c);
    c.pos += length;
  };
  for (let i = 0; i < count; i++) {
    name();
    name();
    const kind = bytes[c.pos++];
    if (kind === 2) return true;
    if (kind === 0) leb(bytes, c);
    else if (kind === 1) {
      c.pos++; // reference type
      const limits = leb(bytes, c);
      leb(bytes, c);
      if (limits & 1) leb(bytes, c);
    } else if (kind === 3) c.pos += 2;
    else if (kind === 4) {
      c.pos++; // tag attribute
      leb(bytes, c);
    } else return true; // unknown kind: do not guess
  }
  return false;
}

/** `bytes` with the declared initial memory lowered to what the module uses at start + `headroom` bytes. */
export function withSmallerInitialMemory(bytes: Uint8Array, headroom = 8 * 1024 * 1024): Uint8Array {
  let layout: Layout | undefined;
  try {
    layout = readLayout(bytes);
  } catch {
    return bytes;
  }
  if (!layout) return bytes;
  const pages = Math.ceil((layout.stackTop + headroom) / PAGE);
  if (pages >= layout.initial || pages > layout.maximum) return bytes;
  const out = new Uint8Array(bytes);
  return writeLeb(out, layout.initialAt, layout.initialWidth, pages) ? out : bytes;
}

/** Node's WebAssembly global (the ES2023 lib zdm compiles against does not declare it). */
const { WebAssembly: webAssembly } = globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object }> };
};

/**
 * Instantiates `bytes` with less initial memory (withSmallerInitialMemory); if that module does not
 * instantiate (its data lies above the lowered size), the original bytes, whose error is the one reported.
 */
export async function instantiateSmaller(bytes: Uint8Array, imports: object, headroom?: number): Promise<object> {
  const smaller = withSmallerInitialMemory(bytes, headroom);
  if (smaller !== bytes) {
    try {
      return (await webAssembly.instantiate(smaller, imports)).instance;
    } catch {
      // fall through: the module as it is declared
    }
  }
  return (await webAssembly.instantiate(bytes, imports)).instance;
}
