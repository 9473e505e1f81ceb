/**
 * The crypto face: the master key (resolved, checked against the store), envelope encryption
 * of keys and secrets at rest, and secret hashing, HMAC and constant-time comparison.
 */
export { auditHmacKey, checkMasterKey, MASTER_KEY_FILE, MasterKeyError, parseMasterKey, REKEY_TEMPORARY_INFIX, resolveMasterKey, rewrapMasterKeyMeta } from './master-key.js';
export { Envelope } from './envelope.js';
export { rewrapCells, type SealedCell } from './rewrap-rows.js';
export { constantTimeEqual, deriveKey, hashSecret, hmacValue, verifySecret } from './secrets.js';
