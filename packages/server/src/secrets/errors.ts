import { ConflictError, MandateError, ValidationError } from '../shared/errors.js';
import { PATH_MAX_LENGTH, PATH_PATTERN } from './deps.js';

/** 404 that says which path (and version) is not there, or is deleted or destroyed. */
export class SecretNotFoundError extends MandateError {
  constructor(path: string, version?: number, state?: 'deleted' | 'destroyed') {
    const what = version === undefined ? `secret '${path}'` : `version ${version} of secret '${path}'`;
    super('not_found', 404, state ? `${what} is ${state}` : `${what} does not exist`, { path, ...(version === undefined ? {} : { version }), ...(state ? { state } : {}) });
  }
}

/** 409: a check-and-set write whose expected version is not the current one. */
export class CasMismatchError extends ConflictError {
  constructor(path: string, expected: number, current: number) {
    super(`check-and-set failed for '${path}': expected version ${expected}, current is ${current}`, { path, expected, current });
  }
}

export function checkPath(path: string): string {
  if (path.length === 0 || path.length > PATH_MAX_LENGTH || !PATH_PATTERN.test(path)) {
    throw new ValidationError(`path must be 1-${PATH_MAX_LENGTH} characters of segments [A-Za-z0-9_.-] joined by '/', without '.' or '..' segments`, { field: 'path' });
  }
  return path;
}
