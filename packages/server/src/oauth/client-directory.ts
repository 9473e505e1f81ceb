import { InvalidClientMetadata, TemporarilyUnavailable } from './errors.js';
import { CimdBusyError, CimdDocumentError, CimdFetchError, type CimdDocuments } from './cimd/documents.js';
import type { Clients, RegisteredClient } from './clients.js';

/** A client of people, wherever it was learnt from: registered with Mandate, or its metadata document (CIMD). */
export interface PeopleClient extends Omit<RegisteredClient, 'createdAt'> {
  source: 'registered' | 'metadata_document';
  /** Shown on the consent page: the client's host is not on the trust list (cimdTrust 'any'). */
  warning: string | null;
}

export interface ClientDirectoryOptions {
  clients: Clients;
  documents: CimdDocuments;
  trust: 'any' | 'allow-list';
  allowedHosts: readonly string[];
}

/** Whether `host` matches an entry of the allow-list: the exact host, or `*.example.com` for its subdomains. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const lower = host.toLowerCase();
  return allowed.some((entry) => {
    const rule = entry.toLowerCase();
    return rule.startsWith('*.') ? lower.endsWith(rule.slice(1)) : lower === rule;
  });
}

/** A client_id that names a metadata document: an https URL with a path (the draft §3), or http in development. */
export function isMetadataDocumentUrl(clientId: string): boolean {
  if (!/^https?:\/\//.test(clientId)) return false;
  try {
    const url = new URL(clientId);
    return url.pathname.length > 1 && url.hash === '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/**
 * Finds the client behind a `client_id`: a registered one by its id, or — for a URL — the
 * client its metadata document describes (cimd/), under the configured domain trust policy.
 * Throws InvalidClientMetadata (shown on a page, never redirected) when the client is unknown
 * or its document is refused.
 */
export class ClientDirectory {
  constructor(private readonly options: ClientDirectoryOptions) {}

  async resolve(clientId: string): Promise<PeopleClient> {
    if (!isMetadataDocumentUrl(clientId)) {
      const client = await this.options.clients.find(clientId);
      if (!client) throw new InvalidClientMetadata(`unknown client_id '${clientId}': register it (mandate client add) or use a client ID metadata document URL`);
      const { createdAt: _created, ...known } = client;
      return { ...known, source: 'registered', warning: null };
    }
    const url = new URL(clientId);
    const trusted = hostAllowed(url.host, this.options.allowedHosts);
    if (this.options.trust === 'allow-list' && !trusted) {
      throw new InvalidClientMetadata(`client metadata documents from '${url.host}' are not trusted (authorization.cimdAllowedHosts)`);
    }
    let document;
    try {
      document = await this.options.documents.get(clientId);
    } catch (error) {
      if (error instanceof CimdFetchError || error instanceof CimdDocumentError) throw new InvalidClientMetadata(`client metadata document refused: ${error.message}`);
      if (error instanceof CimdBusyError) throw new TemporarilyUnavailable(error.message, 5);
      throw error;
    }
    return {
      clientId,
      name: document.client_name ?? url.host,
      type: 'public',
      redirectUris: document.redirect_uris,
      clientUri: document.client_uri,
      logoUri: document.logo_uri,
      source: 'metadata_document',
      warning: trusted ? null : `This application described itself at ${url.host}; Mandate has not verified who runs it. Continue only if you expected to connect it.`,
    };
  }
}
