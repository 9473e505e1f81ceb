import { Type, type TSchema } from '@sinclair/typebox';

/** Shared schema pieces for the admin API. */
export const ErrorResponse = Type.Object(
  {
    error: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    error_description: Type.Optional(Type.String()),
    request_id: Type.String(),
  },
  { $id: undefined },
);

/** Responses every authenticated route can give, for the OpenAPI document. */
export const authErrors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse } as const;

/**
 * The largest integer a request may send where a 32-bit column holds it (versions, revisions,
 * TTLs): PostgreSQL refuses a larger one with an error (a 500), SQLite would compare it and
 * find nothing. Request schemas bound every integer (test/http/request-limits.test.ts).
 */
export const STORED_INT_MAX = 2_147_483_647;

/** A positive integer stored in a 32-bit column (see STORED_INT_MAX). */
export const StoredInt = (options: { minimum?: number; description?: string } = {}) => Type.Integer({ minimum: 1, ...options, maximum: STORED_INT_MAX });

export const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });
}

/**
 * `true` when what the server sends (`Sent`) fits the SDK's type for it (`Sdk`) member for
 * member, with no member on either side the other lacks; `never` otherwise. A route declares
 * `const x: SdkShapeMatches<Sent, Sdk> = true`, so the two cannot drift apart unnoticed: the
 * server stops compiling. (The SDK may type a member more loosely, e.g. a string for a union.)
 */
export type SdkShapeMatches<Sent, Sdk> = Sent extends Sdk ? ([keyof Sent] extends [keyof Sdk] ? ([keyof Sdk] extends [keyof Sent] ? true : never) : never) : never;
