/** Headers and body of an OAuth request, as plain values (the endpoints never see Fastify). */
export interface OAuthRequest {
  authorization?: string | undefined;
  dpop?: string | string[] | undefined;
  body: string;
  /** The peer's address: failed authentications are counted per client_id and address. */
  remoteAddress?: string | undefined;
  /** The DER client certificate of an mTLS connection (RFC 8705), when one was presented. */
  clientCertificate?: Buffer | undefined;
}

/** The revocation feed's query, as received. */
export interface FeedRequest {
  authorization?: string | undefined;
  after?: string | undefined;
  wait?: string | undefined;
  limit?: string | undefined;
}
