/**
 * Names of the files Mandate keeps in its data directory. They live here, apart from the
 * runtime that writes them, because the CLI's client verbs read them without loading any
 * server code (docs/architecture.md, "The CLI").
 */

/** The bootstrap admin token (mode 0600), written once when the first operator is created. */
export const ADMIN_TOKEN_FILE = 'admin-token';
