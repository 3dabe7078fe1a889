// Compile-time ties between a hand-written model type and the zod schema that parses it. The types
// are what users see (named in editors, no index signature, so a misspelt field is a compile error); the
// schemas are what runs. These types make `npm run typecheck` fail when the two drift apart. Nothing here
// exists at run time.

/** The named fields of an object type, without its index signature. */
type Named<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: KnownFields<T[K]> };

/**
 * A zod output type with the index signature of each loose object (`[k: string]: unknown`) removed, at every
 * depth. A record (`Record<string, unknown>`, no named field) stays as it is.
 */
export type KnownFields<T> = T extends readonly (infer U)[] ? KnownFields<U>[] : T extends object ? (keyof Named<T> extends never ? T : Named<T>) : T;

/** Every field path of an object type (`a`, `a.b`, ...), through arrays and unions, optional or not. */
type FieldPaths<T> = T extends readonly (infer U)[]
  ? FieldPaths<U>
  : T extends object
    ? { [K in keyof T & string]-?: K | `${K}.${FieldPaths<NonNullable<T[K]>>}` }[keyof T & string]
    : never;

type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * `true` when the schema's output and the hand-written type describe the same data: each assignable to the other once
 * the output's index signatures are set aside, and the same field paths at every depth (so an optional field
 * known to one and not the other is caught too). Open enums (`'text' | 'image' | (string & {})`) agree with the
 * `string` a schema parses them as.
 */
export type Agrees<Output, Interface> =
  MutuallyAssignable<KnownFields<Output>, Interface> extends true ? MutuallyAssignable<FieldPaths<KnownFields<Output>>, FieldPaths<Interface>> : false;

/** Fails to compile unless given `true`. */
export type Assert<T extends true> = T;
