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
