import { Field, ObjectType } from 'type-graphql';
import { BadUserInputError } from '../errors/errors.js';

@ObjectType('PageInfo')
export class PageInfoType {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** Opaque keyset cursor over (timestamp, id), newest first. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): { at: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime())) throw new BadUserInputError('after is not a cursor from this list', 'after');
  return { at, id };
}

export function pageSize(first: number | null | undefined, max = 100): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > max) throw new BadUserInputError(`first must be from 1 to ${max}`, 'first');
  return size;
}

/**
 * A page of a keyset list fetched with one row more than asked: that extra row only says there is a
 * next page. Cursors are (timestamp, tiebreak) of each row.
 */
export function toConnection<Row, Node>(
  rows: Row[],
  size: number,
  cursorOf: (row: Row) => { at: Date; id: string },
  nodeOf: (row: Row) => Node,
): { edges: { cursor: string; node: Node }[]; pageInfo: PageInfoType } {
  const edges = rows.slice(0, size).map((row) => {
    const { at, id } = cursorOf(row);
    return { cursor: encodeCursor(at, id), node: nodeOf(row) };
  });
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
}
