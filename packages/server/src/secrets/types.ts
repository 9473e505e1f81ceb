/** A secret's value: string keys to string values, as Vault's KV engine stores them. */
export type SecretData = Record<string, string>;

export interface SecretVersion {
  path: string;
  version: number;
  data: SecretData;
  createdAt: string;
}

export interface VersionInfo {
  version: number;
  createdAt: string;
  deletedAt: string | null;
  destroyed: boolean;
}

export interface SecretMetadata {
  path: string;
  currentVersion: number;
  classification: string;
  maxVersions: number;
  createdAt: string;
  updatedAt: string;
  versions: VersionInfo[];
}
