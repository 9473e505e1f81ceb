// reflect-metadata must run before @peculiar/x509 loads (its ASN.1 schema uses decorators):
// ES modules evaluate imports in order, so this one line ahead of it is enough.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The one place the workload context loads @peculiar/x509, with node's WebCrypto as its
 * provider. Every other module imports `x509` from here, so the load order holds everywhere.
 */
x509.cryptoProvider.set(webcrypto as never);

export { x509 };

/** ECDSA P-256 with SHA-256: the CA's key and every signature it makes. */
export const CA_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const CA_SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** Node's WebCrypto. */
export const subtle = webcrypto.subtle;

/** WebCrypto key types from node (the server is built without the DOM library). */
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
