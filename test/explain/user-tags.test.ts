import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUserTags, readUserTagsFile } from '../../pipeline/explain/user-tags.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';

function errorLine(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CovaryError);
    return (e as CovaryError).toLine();
  }
  throw new Error('expected an error');
}

describe('user tag files', () => {
  it('reads JSONL with tags arrays, single tags and numeric ids', () => {
    const t = parseUserTags('{"id": "a", "tags": ["x", "y"]}\n\n{"id": 7, "tag": "z"}\n{"item_id": "a", "tags": ["x", "w"]}\n', 'tags.jsonl');
    expect([...t.byId.entries()]).toEqual([
      ['a', ['x', 'y', 'w']],
      ['7', ['z']],
    ]);
  });

  it('reads CSV with a tags column (; or | separated) and with one tag per row', () => {
    const a = parseUserTags('id,tags\nq1,units; tables\nq2,units|long\n', 'tags.csv');
    expect(a.byId.get('q1')).toEqual(['units', 'tables']);
    expect(a.byId.get('q2')).toEqual(['units', 'long']);
    const b = parseUserTags('\uFEFFItem,Tag\nq1,units\nq1,tables\n', 'tags.csv');
    expect(b.byId.get('q1')).toEqual(['units', 'tables']);
  });

  it('a malformed JSONL line is one clear error naming file and line', () => {
    expect(errorLine(() => parseUserTags('{"id": "a", "tags": ["x"]}\n{"id": "b", "tags": [\n', 'my.jsonl'))).toMatch(/^my\.jsonl:2: not valid JSON/);
    expect(errorLine(() => parseUserTags('{"id": "a"}\n', 'my.jsonl'))).toMatch(/^my\.jsonl:1[:,] .*no "tags"/);
    expect(errorLine(() => parseUserTags('{"tags": ["x"]}\n', 'my.jsonl'))).toMatch(/^my\.jsonl:1[:,] .*no item id/);
    expect(errorLine(() => parseUserTags('{"id": "a", "tags": "x"}\n', 'my.jsonl'))).toMatch(/must be an array/);
    expect(errorLine(() => parseUserTags('{"id": "a", "tags": [1, {}]}\n', 'my.jsonl'))).toMatch(/^my\.jsonl:1[:,] .*tag must be a string/);
  });

  it('a malformed CSV is one clear error naming file and line', () => {
    expect(errorLine(() => parseUserTags('id,tags\nq1,a\nq2,b,c\n', 'bad.csv'))).toMatch(/^bad\.csv:3: malformed CSV/);
    expect(errorLine(() => parseUserTags('name,tags\nq1,a\n', 'bad.csv'))).toMatch(/^bad\.csv:1: no id column/);
    expect(errorLine(() => parseUserTags('id,label\nq1,a\n', 'bad.csv'))).toMatch(/^bad\.csv:1: no tags column/);
    expect(errorLine(() => parseUserTags('id,tags\nq1,\n', 'bad.csv'))).toMatch(/^bad\.csv:2[:,] .*no tag on this row/);
    expect(errorLine(() => parseUserTags('id,tags\n', 'empty.csv'))).toMatch(/no tagged item/);
  });

  it('a missing file is a clear error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'covary-tags-'));
    await expect(readUserTagsFile(join(dir, 'none.csv'))).rejects.toThrow(/cannot read the tags file/);
    await writeFile(join(dir, 't.jsonl'), '{"id":"a","tags":["x"]}\n');
    expect((await readUserTagsFile(join(dir, 't.jsonl'))).byId.get('a')).toEqual(['x']);
  });
});
